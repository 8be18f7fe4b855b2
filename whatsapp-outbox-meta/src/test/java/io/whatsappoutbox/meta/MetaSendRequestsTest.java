package io.whatsappoutbox.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.meta.internal.MetaJson;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class MetaSendRequestsTest {
    @Test
    void aPreparedRequestPrintsNeitherItsTokenNorItsRecipient() {
        MetaSendRequests requests = new MetaSendRequests(TestAccounts.standard(), new AtomicBoolean(),
                HttpUrl.get("https://graph.facebook.com"), "v21.0", MetaJson.newMapper());

        MetaSendRequests.Prepared call = requests.prepare(Messages.whatsapp(MessageContent.text("Bonjour")));

        assertThat(call.token()).isEqualTo(TestAccounts.TOKEN_1);
        assertThat(call.toString()).doesNotContain(TestAccounts.TOKEN_1).doesNotContain("33612345678")
                .contains("graph.facebook.com");
    }
}
