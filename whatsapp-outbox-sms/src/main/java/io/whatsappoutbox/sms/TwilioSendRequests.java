package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.PhoneNumber;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;

/** The form-encoded {@code Messages.json} request of one SMS, with the account's Basic authentication. */
final class TwilioSendRequests {
    private final HttpUrl messagesUrl;
    private final String authorization;
    private final PhoneNumber from;
    private final String messagingServiceSid;
    private final URI statusCallbackUrl;

    TwilioSendRequests(TwilioProviderSettings s, HttpUrl base, PhoneNumber from) {
        this.messagesUrl = base.newBuilder()
                .addPathSegment("2010-04-01").addPathSegment("Accounts").addPathSegment(s.accountSid())
                .addPathSegment("Messages.json").build();
        this.authorization = Credentials.basic(s.accountSid(), s.authToken().reveal(), StandardCharsets.UTF_8);
        this.from = from;
        this.messagingServiceSid = s.messagingServiceSid();
        this.statusCallbackUrl = s.statusCallbackUrl();
    }

    Request request(PhoneNumber to, String body) {
        FormBody.Builder form = new FormBody.Builder(StandardCharsets.UTF_8).add("To", to.value());
        if (from != null) {
            form.add("From", from.value());
        } else {
            form.add("MessagingServiceSid", messagingServiceSid);
        }
        form.add("Body", body);
        if (statusCallbackUrl != null) {
            form.add("StatusCallback", statusCallbackUrl.toString());
        }
        return new Request.Builder().url(messagesUrl).post(form.build())
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .build();
    }

    @Override
    public String toString() {
        return "url=" + messagesUrl + ", sender=" + (from != null ? from.masked() : messagingServiceSid);
    }
}
