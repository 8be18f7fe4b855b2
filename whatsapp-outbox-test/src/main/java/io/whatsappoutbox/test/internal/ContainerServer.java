package io.whatsappoutbox.test.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL in a Testcontainers container, one per image per JVM (Testcontainers' reaper removes
 * it when the JVM ends). Where Docker does not run, the tests that asked for it are skipped, with
 * the reason, rather than failed. Loaded only when a kit asks for a container. Internal.
 */
public final class ContainerServer implements DatabaseServer {
    private static final Map<String, ContainerServer> RUNNING = new ConcurrentHashMap<>();

    private final PostgreSQLContainer<?> container;

    private ContainerServer(PostgreSQLContainer<?> container) {
        this.container = container;
    }

    /**
     * The running container of {@code image}, started on first use.
     *
     * @throws TestAbortedException where Docker is not available: JUnit reports the test skipped
     */
    public static ContainerServer of(String image) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new TestAbortedException("Docker is not available here, so the test kit's Testcontainers"
                    + " PostgreSQL (" + image + ") cannot start: skipped. Without testcontainers(...) the kit runs on"
                    + " its embedded PostgreSQL, which needs no Docker.");
        }
        return RUNNING.computeIfAbsent(image, i -> {
            PostgreSQLContainer<?> c = new PostgreSQLContainer<>(DockerImageName.parse(i)
                    .asCompatibleSubstituteFor("postgres")).withUsername(USER).withPassword(PASSWORD)
                    .withDatabaseName("postgres");
            c.start();
            return new ContainerServer(c);
        });
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)
                + "/" + database + "?user=" + USER;
    }

    @Override
    public Connection admin() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
    }
}
