package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.CallFailures;
import io.whatsappoutbox.core.internal.RetryAfter;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.meta.internal.MetaSendResponses;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a send call to Graph through OkHttp, blocking or enqueued, and maps whatever comes back (an
 * answer or a failed call) through the one mapping every path shares, logged once; the
 * non-blocking path ({@link MetaNonBlockingCalls}) maps through the same methods.
 */
final class MetaSendCalls {
    // the provider's logger: log configuration names the provider
    private static final Logger log = LoggerFactory.getLogger(MetaCloudProvider.class);
    /** Meta's answers are a few hundred bytes; an error page is cut well before this. */
    static final int MAX_RESPONSE_BYTES = 256 * 1024;

    private final MetaSendResponses responses;
    private final Clock clock;

    MetaSendCalls(MetaSendResponses responses, Clock clock) {
        this.responses = responses;
        this.clock = clock;
    }

    SendResult execute(Call call, OutboundMessage message, String token) {
        Response response;
        try {
            response = call.execute();
        } catch (Exception e) {
            // OkHttp is Kotlin: besides IOException it can throw a checked InterruptedException
            return logged(message, failed(e, token));
        }
        return logged(message, answer(response, token));
    }

    /**
     * Completed from OkHttp's thread with exactly what {@link #execute} would answer. Cancelling
     * the stage (the dispatcher gives up a stage past its call timeout) cancels the call: one still
     * in OkHttp's queue is never sent.
     */
    CompletionStage<SendResult> enqueue(Call call, OutboundMessage message, String token) {
        CompletableFuture<SendResult> answered = new CompletableFuture<>();
        answered.whenComplete((result, thrown) -> {
            if (answered.isCancelled()) {
                call.cancel();
            }
        });
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                answered.complete(logged(message, failed(CallFailures.asThrownByTheCall(e), token)));
            }

            @Override
            public void onResponse(Call c, Response response) {
                answered.complete(logged(message, answer(response, token)));
            }
        });
        return answered;
    }

    private static SendResult failed(Throwable failure, String token) {
        return failed(failure, 0, token);
    }

    /** A call that failed, {@code status} 0 before Meta's status came: the same table for every transport. */
    static SendResult failed(Throwable failure, int status, String token) {
        return SendResult.rejected(CallFailures.of("Meta", failure, status, token));
    }

    /**
     * Meta's answer, read and closed the same way on both paths: a body that breaks off, or cannot
     * be closed, is an unreadable answer. Never throws (the callback must complete the stage).
     */
    SendResult answer(Response response, String token) {
        int status = response.code();
        try (response) {
            return answer(status, response.header("Retry-After"), read(response.body()), token);
        } catch (Exception e) {
            return failed(e, status, token);
        }
    }

    /**
     * Meta's answer as any transport read it: its status, its {@code Retry-After} header (or null)
     * and at most {@link #MAX_RESPONSE_BYTES} of its body. Never throws.
     */
    SendResult answer(int status, String retryAfterHeader, byte[] body, String token) {
        try {
            Duration retryAfter = RetryAfter.parse(retryAfterHeader, clock.instant());
            return responses.interpret(status, body, retryAfter, token);
        } catch (RuntimeException e) {
            return failed(e, status, token);
        }
    }

    private static byte[] read(ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(MAX_RESPONSE_BYTES);
        }
    }

    /** The one log line of a send's result, whichever transport answered. */
    static SendResult logged(OutboundMessage message, SendResult result) {
        if (result instanceof SendResult.Accepted accepted) {
            log.debug("Message {} of org {} accepted by Meta as {} (status {})", message.id(), message.orgId(),
                    accepted.providerMessageId(), accepted.providerStatus());
        } else if (result instanceof SendResult.Rejected rejected) {
            ProviderError e = rejected.error();
            log.info("Message {} of org {} to {} rejected by Meta: code {} HTTP {} trace {}", message.id(),
                    message.orgId(), message.to().masked(), e.code(), e.httpStatus(), e.traceId());
        }
        return result;
    }
}
