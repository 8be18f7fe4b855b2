package io.whatsappoutbox.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.meta.internal.MetaJson;
import io.whatsappoutbox.meta.internal.MetaSendResponses;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.junit.jupiter.api.Test;

/** The one mapping of Meta's answer, without a server: what both send paths answer with. */
class MetaSendCallsTest {
    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private final MetaSendCalls calls = new MetaSendCalls(new MetaSendResponses(MetaJson.newMapper()),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aBodyThatBreaksOffIsAnUnreadableAnswerWithItsStatusAndNoToken() {
        BufferedSource breaksOff = Okio.buffer(new ForwardingSource(new Buffer()) {
            @Override
            public long read(Buffer sink, long byteCount) throws IOException {
                throw new IOException("connection reset, token secret-token");
            }
        });
        Response response = response(200, ResponseBody.create(breaksOff, null, -1), null);

        ProviderError error = ((SendResult.Rejected) calls.answer(response, "secret-token")).error();

        assertThat(error.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
        assertThat(error.httpStatus()).isEqualTo(200);
        assertThat(error.message()).doesNotContain("secret-token");
    }

    @Test
    void aRetryAfterDateIsReadAgainstTheProvidersClock() {
        String body = "{\"error\":{\"message\":\"rate\",\"type\":\"OAuthException\",\"code\":130429,"
                + "\"fbtrace_id\":\"Axyz\"}}";
        Response response = response(429, ResponseBody.create(body, MediaType.get("application/json")),
                "Mon, 02 Mar 2026 10:00:30 GMT");

        ProviderError error = ((SendResult.Rejected) calls.answer(response, "t")).error();

        assertThat(error.code()).isEqualTo("130429");
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    private static Response response(int status, ResponseBody body, String retryAfter) {
        Response.Builder b = new Response.Builder()
                .request(new Request.Builder().url("https://graph.example/v23.0/1/messages").build())
                .protocol(Protocol.HTTP_1_1).code(status).message("x").body(body);
        if (retryAfter != null) {
            b.header("Retry-After", retryAfter);
        }
        return b.build();
    }
}
