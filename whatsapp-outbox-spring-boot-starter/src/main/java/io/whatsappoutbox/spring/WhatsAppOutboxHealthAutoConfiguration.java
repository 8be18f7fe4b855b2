package io.whatsappoutbox.spring;

import io.whatsappoutbox.core.dispatch.Dispatcher;
import java.time.Clock;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The dispatcher's health indicator ({@code whatsappOutbox}), with Actuator on the classpath. */
@AutoConfiguration(after = WhatsAppOutboxAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(Dispatcher.class)
public class WhatsAppOutboxHealthAutoConfiguration {

    @Bean
    @ConditionalOnEnabledHealthIndicator("whatsappOutbox")
    @ConditionalOnMissingBean(name = "whatsappOutboxHealthIndicator")
    WhatsAppOutboxHealthIndicator whatsappOutboxHealthIndicator(Dispatcher dispatcher,
            WhatsAppOutboxProperties properties) {
        return new WhatsAppOutboxHealthIndicator(dispatcher, properties.dispatcher().staleAfter(), Clock.systemUTC());
    }
}
