package io.whatsappoutbox.meta;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/** The one OkHttp client a {@link MetaCloudProvider} and its direct calls go through. */
final class MetaHttpClient {
    private MetaHttpClient() {}

    /** Its own client sized for the pace, or one derived from the host's; the settings' timeouts either way. */
    static OkHttpClient of(MetaProviderSettings s) {
        OkHttpClient.Builder http = s.httpClient() == null
                ? new OkHttpClient.Builder().dispatcher(dispatcher(s.maxRequests(), s.maxRequestsPerHost()))
                        .connectionPool(new ConnectionPool(s.maxRequestsPerHost(), 5, TimeUnit.MINUTES))
                : s.httpClient().newBuilder();
        if (s.trustManager() != null) {
            http.sslSocketFactory(tls(s.trustManager()).getSocketFactory(), s.trustManager());
        }
        return http.connectTimeout(s.connectTimeout())
                .readTimeout(s.readTimeout())
                .writeTimeout(s.readTimeout())
                .callTimeout(s.callTimeout())
                // a silent retry of a POST that reached Meta would send the message twice: the
                // outbox decides about retries, with the failure recorded
                .retryOnConnectionFailure(false)
                // Graph never redirects a send; following one would carry the token elsewhere
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

    /** A TLS context that trusts what {@code trust} trusts, in place of the JVM's trusted certificates. */
    static SSLContext tls(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context: " + e.getMessage(), e);
        }
    }

    /** Releases the threads and idle connections of a client the provider created. */
    static void release(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
