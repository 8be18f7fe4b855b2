package io.whatsappoutbox.spring;

import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * A provider's webhook handler as Spring MVC routes. The handler gets the raw body, byte for byte:
 * the signatures are computed over it, so nothing may parse or re-encode it first.
 */
final class WebhookRoutes {
    private WebhookRoutes() {}

    static RouterFunction<ServerResponse> of(String path, Function<WebhookRequest, WebhookResponse> handler,
            boolean verifyByGet) {
        RouterFunctions.Builder routes = RouterFunctions.route().POST(path, r -> answer(handler, r));
        if (verifyByGet) {
            routes.GET(path, r -> answer(handler, r));
        }
        return routes.build();
    }

    private static ServerResponse answer(Function<WebhookRequest, WebhookResponse> handler, ServerRequest r)
            throws Exception {
        byte[] body = "POST".equals(r.method().name()) ? r.servletRequest().getInputStream().readAllBytes() : new byte[0];
        Map<String, List<String>> headers = new LinkedHashMap<>();
        HttpHeaders h = r.headers().asHttpHeaders();
        h.forEach(headers::put);
        Map<String, List<String>> query = new LinkedHashMap<>();
        r.params().forEach(query::put);
        WebhookResponse w = handler.apply(new WebhookRequest(r.method().name(), r.uri().toString(), query, headers,
                body));
        return ServerResponse.status(w.status()).contentType(MediaType.parseMediaType(w.contentType())).body(w.body());
    }
}
