package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.CallFailures;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.sms.internal.TwilioResponses;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a send call to Twilio, blocking or enqueued, and maps whatever comes back (an answer or a
 * failed call) through the one mapping both paths share, logged once. {@code to} is the masked
 * recipient the log lines carry.
 */
final class TwilioSendCalls {
    // the provider's logger: log configuration names the provider
    private static final Logger log = LoggerFactory.getLogger(TwilioSmsProvider.class);
    /** Twilio's answers are a few kilobytes; a larger body is not one of them. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024;

    private final TwilioResponses responses;
    private final String authToken;

    TwilioSendCalls(TwilioResponses responses, String authToken) {
        this.responses = responses;
        this.authToken = authToken;
    }

    SendResult execute(Call call, OutboundMessage message, String to) {
        Response response;
        try {
            response = call.execute();
        } catch (Exception e) {
            // OkHttp is Kotlin: besides IOException it can throw a checked InterruptedException
            return failure(message, to, CallFailures.of("Twilio", e, 0, authToken));
        }
        return answer(message, to, response);
    }

    /**
     * Completed from OkHttp's thread with exactly what {@link #execute} would answer. Cancelling
     * the stage (the dispatcher gives up a stage past its call timeout) cancels the call: one still
     * in OkHttp's queue is never sent.
     */
    CompletionStage<SendResult> enqueue(Call call, OutboundMessage message, String to) {
        CompletableFuture<SendResult> answered = new CompletableFuture<>();
        answered.whenComplete((result, thrown) -> {
            if (answered.isCancelled()) {
                call.cancel();
            }
        });
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                answered.complete(failure(message, to,
                        CallFailures.of("Twilio", CallFailures.asThrownByTheCall(e), 0, authToken)));
            }

            @Override
            public void onResponse(Call c, Response response) {
                answered.complete(answer(message, to, response));
            }
        });
        return answered;
    }

    /**
     * Twilio's answer, read and closed the same way on both paths: a body that breaks off, or
     * cannot be closed, is an unreadable answer. Never throws (the callback must complete the stage).
     */
    SendResult answer(OutboundMessage message, String to, Response response) {
        int status = response.code();
        try (response) {
            SendResult result = responses.interpret(status, read(response), response.header("Retry-After"),
                    response.header("Twilio-Request-Id"));
            logResult(message, to, result);
            return result;
        } catch (Exception e) {
            return failure(message, to, CallFailures.of("Twilio", e, status, authToken));
        }
    }

    /** The body, or null when it is larger than any answer Twilio gives. */
    private static byte[] read(Response response) throws IOException {
        try (InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            return bytes.length > MAX_RESPONSE_BYTES ? null : bytes;
        }
    }

    static SendResult failure(OutboundMessage message, String to, ProviderError error) {
        log.warn("SMS message {} of org {} to {}: Twilio call failed with {}", message.id(), message.orgId(), to,
                error.code());
        return new SendResult.Rejected(error);
    }

    private static void logResult(OutboundMessage message, String to, SendResult result) {
        if (result instanceof SendResult.Accepted) {
            SendResult.Accepted a = (SendResult.Accepted) result;
            log.debug("Twilio accepted SMS message {} of org {} to {} as {} ({})", message.id(), message.orgId(), to,
                    a.providerMessageId(), a.providerStatus());
        } else {
            ProviderError e = ((SendResult.Rejected) result).error();
            log.warn("Twilio rejected SMS message {} of org {} to {}: code {}, HTTP {}, request {}", message.id(),
                    message.orgId(), to, e.code(), e.httpStatus(), e.traceId());
        }
    }
}
