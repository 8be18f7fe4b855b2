package io.whatsappoutbox.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;

/** The kit on a Testcontainers PostgreSQL where Docker runs, and a clean skip where it does not. */
class TestcontainersPathTest {
    static final String IMAGE = "postgres:17-alpine";

    @Test
    void withoutDockerTheKitSkipsItsTestsWithTheReasonInsteadOfFailingThem() {
        assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "Docker runs here: the container test runs");
        OutboxTestKit kit = OutboxTestKit.builder().testcontainers(IMAGE).build();

        assertThatThrownBy(() -> kit.beforeAll(null)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("Docker is not available").hasMessageContaining(IMAGE);
    }

    @Test
    void withDockerTheHostsTestRunsOnTheContainersPostgresql() throws Exception {
        assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "no Docker here");
        OutboxTestKit kit = OutboxTestKit.builder().testcontainers(IMAGE).build();
        kit.beforeAll(null);
        try {
            JdbcOutbox outbox = JdbcOutbox.builder().dataSource(kit.dataSource())
                    .encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build();
            long id = outbox.enqueue(Requests.template("org-1", 1)).message().id();
            assertThat(outbox.find("org-1", id)).isPresent();
        } finally {
            kit.afterAll(null);
        }
    }

    @Test
    void anImageNameThatIsNoneIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> OutboxTestKit.builder().testcontainers("postgres 17; rm -rf").build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("testcontainers");
    }
}
