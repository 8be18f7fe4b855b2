package io.whatsappoutbox.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder checks every setting and names each bad one. */
class MetaCloudProviderBuilderTest {

    @Test
    void defaultsToMetasCatalogueAndName() {
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard()).build()) {
            assertThat(p.name()).isEqualTo("meta");
            assertThat(p.errorCatalogue().name()).isEqualTo(ErrorCatalogue.meta().name());
            assertThat(p.errorCatalogue().lookup("131047")).isPresent();
            assertThat(p.toString()).contains("https://graph.facebook.com").contains("v23.0");
        }
    }

    @Test
    void sendsAsynchronouslyByDefaultOnlyWithItsOwnClient() {
        okhttp3.OkHttpClient hosts = new okhttp3.OkHttpClient();
        try (MetaCloudProvider own = MetaCloudProvider.builder().accounts(TestAccounts.standard()).build();
                MetaCloudProvider withHosts = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                        .httpClient(hosts).build();
                MetaCloudProvider hostsAsked = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                        .httpClient(hosts).asynchronous(true).build();
                MetaCloudProvider ownOff = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                        .asynchronous(false).build()) {
            assertThat(own.isAsynchronous()).isTrue();
            assertThat(own.nonBlockingCalls()).as("the non-blocking client").isNotNull();
            // a host's dispatcher would hold a thread per call and cap them at its per-host limit
            assertThat(withHosts.isAsynchronous()).isFalse();
            assertThat(hostsAsked.isAsynchronous()).isTrue();
            assertThat(hostsAsked.nonBlockingCalls()).as("OkHttp's enqueue on the host's client").isNull();
            assertThat(ownOff.isAsynchronous()).isFalse();
            assertThat(ownOff.nonBlockingCalls()).isNull();
        } finally {
            hosts.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void namesEveryBadSettingAtOnce() {
        assertThatThrownBy(() -> MetaCloudProvider.builder().graphVersion("23.0").baseUrl("not a url")
                        .connectTimeout(Duration.ZERO).readTimeout(Duration.ofSeconds(-1)).callTimeout(null)
                        .errorCatalogue(null).clock(null).build())
                .asInstanceOf(type(InvalidInputException.class))
                .satisfies(e -> assertThat(e.violations()).extracting(InvalidInputException.Violation::field)
                        .containsExactlyInAnyOrder("accounts", "baseUrl", "graphVersion", "connectTimeout",
                                "readTimeout", "callTimeout", "errorCatalogue", "clock"));
    }

    @Test
    void refusesPlainHttpExceptToLoopback() {
        assertThatThrownBy(() -> MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl("http://graph.facebook.com").build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.concerns("baseUrl")).isTrue());
        MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl("http://localhost:8080").build().close();
    }

    @Test
    void refusesBaseUrlWithQuery() {
        assertThatThrownBy(() -> MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl("https://graph.facebook.com/?access_token=x").build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.concerns("baseUrl")).isTrue());
    }

    @Test
    void refusesMalformedGraphVersions() {
        for (String bad : new String[] {"v23", "V23.0", "v23.0/", "v23.0/../x", "", " v23.0"}) {
            assertThatThrownBy(() -> MetaCloudProvider.builder().accounts(TestAccounts.standard())
                    .graphVersion(bad).build())
                    .as(bad)
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.concerns("graphVersion")).isTrue());
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard()).build();
        p.close();
        p.close();

        assertThat(p.httpClient().dispatcher().executorService().isShutdown()).isTrue();
        assertThat(p.httpClient().connectionPool().connectionCount()).isZero();
        // closed: no call is attempted, to graph.facebook.com or anywhere
        SendResult afterClose = p.send(Messages.whatsapp(MessageContent.text("Bonjour")));
        assertThat(afterClose).isInstanceOfSatisfying(SendResult.Rejected.class,
                r -> assertThat(r.error().code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR));
        assertThat(((SendResult.Rejected) afterClose).error().message()).contains("closed");
    }
}
