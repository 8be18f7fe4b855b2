package io.whatsappoutbox.sms.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signing rules, against Twilio's published vectors (twilio-java, -python, -php tests). */
class TwilioSignatureTest {
    static final Secret TOKEN = Secret.of("12345");
    static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final List<FormParam> PARAMS = List.of(new FormParam("Digits", "1234"),
            new FormParam("CallSid", "CA1234567890ABCDE"), new FormParam("To", "+18005551212"),
            new FormParam("Caller", "+14158675309"), new FormParam("From", "+14158675309"));

    @Test
    void computes_twilio_published_signature() {
        assertThat(TwilioSignature.compute(TOKEN, URL, PARAMS)).isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    }

    @Test
    void published_port_vectors_are_among_the_signed_forms() {
        // twilio-java: the URL with :443 added, and an http URL with :1234 kept.
        assertThat(TwilioSignature.matches(TOKEN, TwilioSignature.signedForms(URL, PARAMS),
                "kvajT1Ptam85bY51eRf/AJRuM3w=")).isTrue();
        String withPort = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
        assertThat(TwilioSignature.matches(TOKEN, TwilioSignature.signedForms(withPort, PARAMS),
                "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")).isTrue();
        String httpsWithPort = "https://mycompany.com:1234/myapp.php?foo=1&bar=2";
        assertThat(TwilioSignature.matches(TOKEN, TwilioSignature.signedForms(httpsWithPort, PARAMS),
                "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isTrue();
    }

    @Test
    void url_variants_add_or_remove_the_port_only() {
        assertThat(TwilioSignature.urlVariants("https://a.example/x?y=1"))
                .containsExactly("https://a.example/x?y=1", "https://a.example:443/x?y=1");
        assertThat(TwilioSignature.urlVariants("http://a.example"))
                .containsExactly("http://a.example", "http://a.example:80");
        assertThat(TwilioSignature.urlVariants("https://u:p@a.example:8443/x"))
                .containsExactly("https://u:p@a.example:8443/x", "https://u:p@a.example/x");
        assertThat(TwilioSignature.urlVariants("https://[::1]/x")).containsExactly("https://[::1]/x",
                "https://[::1]:443/x");
        assertThat(TwilioSignature.urlVariants("https://[::1]:9/x")).containsExactly("https://[::1]:9/x",
                "https://[::1]/x");
        assertThat(TwilioSignature.urlVariants("not a url")).containsExactly("not a url");
    }

    @Test
    void payload_sorts_by_name_then_value_and_may_drop_identical_pairs() {
        List<FormParam> params = List.of(new FormParam("b", "2"), new FormParam("a", "z"), new FormParam("b", "1"),
                new FormParam("b", "1"));
        assertThat(TwilioSignature.payload("U", params, false)).isEqualTo("Uazb1b1b2");
        assertThat(TwilioSignature.payload("U", params, true)).isEqualTo("Uazb1b2");
    }

    @Test
    void a_wrong_or_empty_presented_signature_does_not_match() {
        List<byte[]> forms = TwilioSignature.signedForms(URL, PARAMS);
        assertThat(TwilioSignature.matches(TOKEN, forms, "RSOYDt4T1cUTdK1PDd93/VVr8B8")).isFalse();
        assertThat(TwilioSignature.matches(TOKEN, forms, "")).isFalse();
        assertThat(TwilioSignature.matches(Secret.of("54321"), forms, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
    }
}
