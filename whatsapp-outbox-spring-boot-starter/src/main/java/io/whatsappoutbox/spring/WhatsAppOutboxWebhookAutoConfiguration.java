package io.whatsappoutbox.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import io.whatsappoutbox.sms.TwilioStatusCallbackHandler;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The providers' webhook endpoints on Spring MVC, each opt-in: Meta's ({@code GET} subscription
 * handshake, signed {@code POST}) and Twilio's status callback, on the raw request body.
 */
@AutoConfiguration(after = WhatsAppOutboxAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(RouterFunction.class)
@ConditionalOnBean(Dispatcher.class)
public class WhatsAppOutboxWebhookAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.webhooks.meta", name = "enabled")
    public MetaWebhookHandler whatsAppOutboxMetaWebhookHandler(JdbcOutbox outbox, Dispatcher dispatcher,
            WhatsAppOutboxProperties properties, ObjectProvider<MeterRegistry> registry) {
        WhatsAppOutboxProperties.MetaEndpoint e = properties.webhooks().meta();
        MetaWebhookHandler.Builder b = MetaWebhookHandler.builder().secrets(outbox.providerConfigs().webhookSecrets())
                .accounts(outbox.providerConfigs()).sink(dispatcher.webhooks());
        Optional.ofNullable(e.verifyToken()).map(Secret::of).ifPresent(b::verifyToken);
        registry.ifAvailable(b::meterRegistry);
        return b.build();
    }

    @Bean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.webhooks.meta", name = "enabled")
    RouterFunction<ServerResponse> whatsAppOutboxMetaWebhookRoutes(MetaWebhookHandler handler,
            WhatsAppOutboxProperties properties) {
        return WebhookRoutes.of(properties.webhooks().meta().path(), handler::handle, true);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.webhooks.twilio", name = "enabled")
    public TwilioStatusCallbackHandler whatsAppOutboxTwilioStatusHandler(Dispatcher dispatcher,
            WhatsAppOutboxProperties properties, ObjectProvider<MeterRegistry> registry) {
        WhatsAppOutboxProperties.TwilioEndpoint e = properties.webhooks().twilio();
        Violations v = new Violations();
        v.requirePresent("whatsapp.outbox.webhooks.twilio.public-url", e.publicUrl());
        v.requirePresent("whatsapp.outbox.sms.auth-token", properties.sms().authToken());
        v.throwIfAny("whatsapp.outbox.webhooks.twilio");
        TwilioStatusCallbackHandler.Builder b = TwilioStatusCallbackHandler.builder()
                .authToken(Secret.of(properties.sms().authToken())).publicUrl(e.publicUrl()).sink(dispatcher.webhooks());
        registry.ifAvailable(b::meterRegistry);
        return b.build();
    }

    @Bean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.webhooks.twilio", name = "enabled")
    RouterFunction<ServerResponse> whatsAppOutboxTwilioWebhookRoutes(TwilioStatusCallbackHandler handler,
            WhatsAppOutboxProperties properties) {
        return WebhookRoutes.of(properties.webhooks().twilio().path(), handler::handle, false);
    }
}
