package io.whatsappoutbox.meta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PhoneNumberIdsTest {
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsEveryNumberABodyNamesInOrderOnce() {
        String body = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":{\"metadata\":"
                + "{\"display_phone_number\":\"15550000000\",\"phone_number_id\":\"100000000000002\"}}},"
                + "{\"value\":{\"metadata\": {\"phone_number_id\" :\n \"100000000000001\"}}},"
                + "{\"value\":{\"metadata\":{\"phone_number_id\":\"100000000000002\"}}}]}]}";
        assertThat(PhoneNumberIds.in(bytes(body))).containsExactly("100000000000002", "100000000000001");
    }

    @Test
    void readsOnlyDigitsAndGivesUpOnTooMany() {
        assertThat(PhoneNumberIds.in(bytes("{\"phone_number_id\":\"12ab\",\"phone_number_id\":42}"))).isEmpty();
        assertThat(PhoneNumberIds.in(bytes("not json at all \"phone_number_id\":\"7\""))).containsExactly("7");
        assertThat(PhoneNumberIds.in(bytes("{\"phone_number_id\":\"" + "9".repeat(33) + "\"}"))).isEmpty();
        assertThat(PhoneNumberIds.in(bytes("{\"phone_number_id\":\"1"))).isEmpty();
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= PhoneNumberIds.MAX; i++) {
            many.append("\"phone_number_id\":\"").append(1000 + i).append("\",");
        }
        assertThat(PhoneNumberIds.in(bytes(many.toString()))).isEmpty();
    }
}
