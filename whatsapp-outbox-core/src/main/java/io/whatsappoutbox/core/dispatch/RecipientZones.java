package io.whatsappoutbox.core.dispatch;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.SendingHours;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/**
 * A recipient's time zone for its org's sending hours: the message's own when the host gave one,
 * else the number's when libphonenumber's prefix data names a single zone (a French number, a New
 * York area code), else the sending hours' default (a Spanish mobile may be in the Canaries).
 */
final class RecipientZones {
    private final PhoneNumberUtil numbers = PhoneNumberUtil.getInstance();
    private final PhoneNumberToTimeZonesMapper zones = PhoneNumberToTimeZonesMapper.getInstance();

    ZoneId of(OutboundMessage m, SendingHours hours) {
        if (m.recipientTimeZone() != null) {
            return m.recipientTimeZone();
        }
        ZoneId fromNumber = fromNumber(m.to().value());
        return fromNumber != null ? fromNumber : hours.defaultZone();
    }

    /** The single zone the number's prefix lies in, or null when none or several. */
    ZoneId fromNumber(String e164) {
        try {
            Phonenumber.PhoneNumber n = numbers.parse(e164, "ZZ");
            List<String> names = zones.getTimeZonesForNumber(n);
            if (names.size() != 1 || PhoneNumberToTimeZonesMapper.getUnknownTimeZone().equals(names.get(0))) {
                return null;
            }
            return ZoneId.of(names.get(0));
        } catch (NumberParseException | DateTimeException e) {
            return null;
        }
    }
}
