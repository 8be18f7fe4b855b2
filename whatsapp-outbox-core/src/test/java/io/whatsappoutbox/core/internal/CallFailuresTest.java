package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One table for every HTTP provider: the row a failure falls in decides its code. */
class CallFailuresTest {
    private static final String TOKEN = "EAAJsecret-token-1234";

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void socketTimeoutsAndTheCallTimeoutAreTimeouts() {
        for (IOException timeout : new IOException[] {new SocketTimeoutException("Read timed out"),
                new SocketTimeoutException("Connect timed out"), new InterruptedIOException("timeout"),
                new InterruptedIOException("deadline reached")}) {
            ProviderError e = CallFailures.of("Meta", timeout, 0);

            assertThat(e.code()).as(timeout.getMessage()).isEqualTo(OutboxErrorCodes.TIMEOUT);
            assertThat(e.httpStatus()).isZero();
            assertThat(e.message()).startsWith("Meta did not answer in time: ");
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aBodyThatTimesOutKeepsItsStatus() {
        ProviderError e = CallFailures.of("Twilio", new SocketTimeoutException("timeout"), 201);

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(e.httpStatus()).isEqualTo(201);
    }

    @Test
    void anInterruptIsANetworkErrorAndTheFlagIsSetAgain() {
        for (Throwable interrupt : new Throwable[] {new InterruptedException(), new ClosedByInterruptException(),
                new IOException("wrapped", new InterruptedException())}) {
            Thread.interrupted();
            ProviderError e = CallFailures.of("Meta", interrupt, 0);

            assertThat(e.code()).as(interrupt.toString()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
            assertThat(e.message()).startsWith("Call to Meta interrupted: ");
            assertThat(Thread.currentThread().isInterrupted()).as(interrupt.toString()).isTrue();
        }
    }

    @Test
    void okiosInterruptedIoOnAnInterruptedThreadIsAnInterruptNotATimeout() {
        Thread.currentThread().interrupt();
        ProviderError e = CallFailures.of("Twilio", new InterruptedIOException("interrupted"), 0);

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        assertThat(e.message()).startsWith("Call to Twilio interrupted");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void anIoFailureBeforeTheStatusIsANetworkError() {
        for (IOException e : new IOException[] {new ConnectException("Connection refused"),
                new IOException("Connection reset"), new EOFException("\\n not found: limit=0")}) {
            ProviderError error = CallFailures.of("Meta", e, 0);

            assertThat(error.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
            assertThat(error.httpStatus()).isZero();
            assertThat(error.message()).startsWith("Network error calling Meta: " + e.getClass().getSimpleName());
        }
    }

    @Test
    void anyFailureAfterTheStatusOtherThanATimeoutIsAnUnreadableAnswer() {
        for (Exception e : new Exception[] {new IOException("unexpected end of stream"),
                new IllegalStateException("codec")}) {
            ProviderError error = CallFailures.of("Twilio", e, 200);

            assertThat(error.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
            assertThat(error.httpStatus()).isEqualTo(200);
            assertThat(error.message()).startsWith("HTTP 200 from Twilio, answer unreadable: ");
        }
    }

    @Test
    void aRuntimeExceptionBeforeTheStatusIsAProviderException() {
        ProviderError e = CallFailures.of("Meta", new IllegalStateException("interceptor broke"), 0);

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_EXCEPTION);
        assertThat(e.message()).isEqualTo("Call to Meta failed: IllegalStateException: interceptor broke");
    }

    @Test
    void masksTheSecretsAndNumbersTheExceptionQuotes() {
        ProviderError e = CallFailures.of("Meta", new IOException("https://x/?access_token=" + TOKEN
                + " for +33612345678"), 0, TOKEN);

        assertThat(e.message()).doesNotContain(TOKEN).doesNotContain("33612345678").contains("****");
    }

    @Test
    void aLongMessageIsCutAfterTheSecretIsMasked() {
        ProviderError e = CallFailures.of("Meta", new IOException("x".repeat(SafeText.MAX - 10) + TOKEN), 0, TOKEN);

        assertThat(e.message()).doesNotContain(TOKEN.substring(0, 8));
    }

    @Test
    void everyCodeItGivesIsKnownToBothCatalogues() {
        for (String code : new String[] {OutboxErrorCodes.NETWORK_ERROR, OutboxErrorCodes.TIMEOUT,
                OutboxErrorCodes.UNREADABLE_RESPONSE, OutboxErrorCodes.PROVIDER_EXCEPTION}) {
            for (ErrorCatalogue catalogue : new ErrorCatalogue[] {ErrorCatalogue.meta(), ErrorCatalogue.twilio()}) {
                assertThat(catalogue.lookup(code)).as(catalogue.name() + " " + code).isPresent();
            }
        }
        assertThat(ErrorCatalogue.meta().classify(CallFailures.of("Meta", new InterruptedException(), 0)).category())
                .isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
    }
}
