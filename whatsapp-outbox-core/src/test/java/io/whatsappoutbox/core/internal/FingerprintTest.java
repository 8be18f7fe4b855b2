package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.MessageContent.Text;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.testing.Contents;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FingerprintTest {
    static final PhoneNumber TO = PhoneNumber.of("+33612345678");

    /**
     * Digests computed by the outbox before V3 (commit 8284cb4): a host that enqueues one of these
     * keys again after the upgrade must get its message back, not a 409.
     */
    @Test
    void theShapesStoredBeforeV3KeepTheirDigest() {
        assertDigest(MessageContent.text("Bonjour Léa"),
                "d05b1f430575c8d9ba7990ecddb6037bacf472d9d150e3cbf8a0cd38cec96cc7");
        assertDigest(new Text("See https://example.com", true),
                "0f720329d278637f8ae4aeefc8fc932389fb3e2329aaffbea155600b357ff57a");
        assertDigest(MessageContent.template("appointment_reminder", "fr", "lundi 10h", "12 rue X"),
                "a7d004bab05aa65e86f8a5d8f0dc2ca25daadbdb4fb7e9a8fe65e62fa675746f");
        assertDigest(new Template("order_update", "en_US", List.of(Template.Parameter.named("first_name", "Jeanne"))),
                "b9456a240edee9f2f1d38b636158ef247bb093927aa916c056db12e7a9721979");
        assertDigest(MessageContent.template("hello_world", "en_US"),
                "cb8d086a0b00966867e8b1c567738849833f4074df083f82c2999114b63081c8");
        assertDigest(Media.imageById("1479537139650973", "Le plan"),
                "f7c3f5dd64f48d6491378e4c77386c5e113e091f8966b600505eb520561f4240");
        assertDigest(Media.imageByLink(URI.create("https://cdn.example.com/plan.png"), null),
                "4f1482fecdef98c2503f6913af4e6bcea6e11a2a8cb3285852bb91c873d692c2");
        assertDigest(Media.documentById("1479537139650974", "Votre contrat", "contrat.pdf"),
                "04b1b26186a00175ad44dbd4614827efb2f81c5fab26a9da0e5cd19fe2ad9bc8");
        assertDigest(Media.documentByLink(URI.create("https://cdn.example.com/c.pdf"), null, "c.pdf"),
                "44ec6a6353d64fb5e7a00ebfab75f11c41c3361aa6e75f0021fe5fd5d8034259");
        assertDigest(new InteractiveButtons("Confirmez ?", List.of(new ReplyButton("yes", "Oui"),
                new ReplyButton("no", "Non")), "Visite", "Agence"),
                "9764e0264b4bf2c291817113d7219dd9ff151b0aa3bebe9581d9a5479ba97c7a");
        assertDigest(InteractiveButtons.of("OK ?", new ReplyButton("b1", "Yes")),
                "456b29db81db26b94e10ec3466a270f5d4d6318b9e281e8f7c749a136c368173");
        assertThat(Fingerprint.of(Channel.SMS, TO, MessageContent.text("Rappel"), null))
                .isEqualTo("ab0c4d70839e514312cb795c2dcef92c9a5825bcacb77b91f792fd92be6a4833");
    }

    @Test
    void everyExampleOfEveryTypeHasADigestOfItsOwn() {
        Set<String> digests = new HashSet<>();
        for (MessageContent c : Contents.examples()) {
            assertThat(digests.add(Fingerprint.of(Channel.WHATSAPP, TO, c, "D-1"))).as(c.toString()).isTrue();
        }
    }

    @Test
    void whatANewFieldAddsChangesTheDigest() {
        Template body = MessageContent.template("appointment_reminder", "fr", "lundi");
        String plain = digest(body);
        assertThat(digest(body.headerImage(URI.create("https://cdn.example.com/a.jpg")))).isNotEqualTo(plain);
        assertThat(digest(body.quickReplyButton(0, "ok"))).isNotEqualTo(plain);
        assertThat(digest(body.quickReplyButton(0, "ok"))).isNotEqualTo(digest(body.urlButton(0, "ok")));
        assertThat(digest(body.quickReplyButton(0, "ok"))).isNotEqualTo(digest(body.quickReplyButton(1, "ok")));
        assertThat(digest(body.inReplyTo(Contents.WAMID))).isNotEqualTo(plain);
        assertThat(digest(MessageContent.template("t", "fr", "10")))
                .isNotEqualTo(digest(Template.named("t", "fr").body(Template.Parameter.dateTime("10"))));
        assertThat(digest(Media.videoById("1", null))).isNotEqualTo(digest(Media.audioById("1")));
    }

    private static String digest(MessageContent c) {
        return Fingerprint.of(Channel.WHATSAPP, TO, c, "D-1");
    }

    private static void assertDigest(MessageContent c, String expected) {
        assertThat(digest(c)).as(c.toString()).isEqualTo(expected);
    }
}
