package io.whatsappoutbox.sms;

import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/** The one OkHttp client a {@link TwilioSmsProvider} calls through. */
final class TwilioHttpClient {
    private TwilioHttpClient() {}

    /** Its own client sized for the pace, or one derived from the host's; the settings' timeouts either way. */
    static OkHttpClient of(TwilioProviderSettings s) {
        // Retries belong to the outbox, which counts them: a silent OkHttp retry of a POST could
        // send the SMS twice. Redirects are not part of Twilio's API and would carry credentials.
        return (s.httpClient() == null
                ? new OkHttpClient.Builder().dispatcher(dispatcher(s.maxRequests(), s.maxRequestsPerHost()))
                        .connectionPool(new ConnectionPool(s.maxRequestsPerHost(), 5, TimeUnit.MINUTES))
                : s.httpClient().newBuilder())
                .connectTimeout(s.connectTimeout())
                .readTimeout(s.readTimeout())
                .writeTimeout(s.readTimeout())
                .callTimeout(s.callTimeout())
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
    }

    /** As many asynchronous calls at once as the pace needs: OkHttp's default is 64, 5 per host. */
    private static Dispatcher dispatcher(int maxRequests, int maxRequestsPerHost) {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(maxRequests);
        d.setMaxRequestsPerHost(maxRequestsPerHost);
        return d;
    }

    /** Releases the threads and pooled connections of a client the provider created. */
    static void release(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
