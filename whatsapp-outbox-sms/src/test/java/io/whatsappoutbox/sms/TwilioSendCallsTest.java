package io.whatsappoutbox.sms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.sms.internal.TwilioResponses;
import java.io.IOException;
import java.time.Clock;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.ForwardingSource;
import okio.Okio;
import org.junit.jupiter.api.Test;

/** The one mapping of Twilio's answer, without a server: what both send paths answer with. */
class TwilioSendCallsTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private final TwilioSendCalls calls = new TwilioSendCalls(
            new TwilioResponses(new ObjectMapper(), Secret.of(TOKEN), Clock.systemUTC()), TOKEN);

    @Test
    void anErrorBodyLargerThanAnyTwilioAnswerIsNotReadForItsCode() {
        String body = "{\"code\":21211,\"message\":\"invalid To\",\"padding\":\"" + "x".repeat(300 * 1024) + "\"}";

        ProviderError error = rejected(response(400, ResponseBody.create(body, MediaType.get("application/json"))));

        assertThat(error.code()).isEqualTo(OutboxErrorCodes.http(400));
    }

    @Test
    void aBodyThatBreaksOffIsAnUnreadableAnswerWithItsStatusAndNoToken() {
        ResponseBody breaksOff = ResponseBody.create(Okio.buffer(new ForwardingSource(new Buffer()) {
            @Override
            public long read(Buffer sink, long byteCount) throws IOException {
                throw new IOException("connection reset, token " + TOKEN);
            }
        }), null, -1);

        ProviderError error = rejected(response(201, breaksOff));

        assertThat(error.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
        assertThat(error.httpStatus()).isEqualTo(201);
        assertThat(error.message()).doesNotContain(TOKEN);
    }

    private ProviderError rejected(Response response) {
        OutboundMessage message = TwilioFixtures.sms("hi");
        return ((SendResult.Rejected) calls.answer(message, "+3361****78", response)).error();
    }

    private static Response response(int status, ResponseBody body) {
        return new Response.Builder()
                .request(new Request.Builder().url("https://api.twilio.example/2010-04-01/Messages.json").build())
                .protocol(Protocol.HTTP_1_1).code(status).message("x").body(body).build();
    }
}
