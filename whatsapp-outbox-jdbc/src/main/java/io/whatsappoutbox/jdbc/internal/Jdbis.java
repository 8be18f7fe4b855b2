package io.whatsappoutbox.jdbc.internal;

import java.sql.Connection;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.core.statement.TemplateEngine;

/**
 * The library's Jdbi: instants travel as UTC {@code timestamptz}, never through the JVM's zone, and
 * a failed statement's message names neither its SQL nor its bound values. Internal.
 */
public final class Jdbis {
    private Jdbis() {}

    /** On the default schema, {@value SchemaNames#DEFAULT_SCHEMA}. */
    public static Jdbi create(DataSource dataSource) {
        return create(dataSource, new SchemaNames(SchemaNames.DEFAULT_SCHEMA));
    }

    public static Jdbi create(DataSource dataSource, SchemaNames names) {
        return configure(Jdbi.create(dataSource), names);
    }

    /**
     * On a connection of the host's transaction in progress: its handles neither commit, roll back nor
     * close it (the host ends its transaction; Jdbi would otherwise roll back a transaction a handle
     * did not end).
     */
    static Jdbi onHostConnection(Connection connection, SchemaNames names) {
        Jdbi jdbi = configure(Jdbi.create(connection), names);
        jdbi.getConfig(Handles.class).setForceEndTransactions(false);
        return jdbi;
    }

    private static Jdbi configure(Jdbi jdbi, SchemaNames names) {
        // the library's SQL has no template attributes: its only rendering is the schema's names,
        // done once per statement text (a new string at every call would be hashed again each time)
        jdbi.setTemplateEngine(names);
        // Jdbi's default message quotes every bound value (recipients, bodies) into logs and error columns
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        jdbi.registerArgument(new InstantArgumentFactory());
        jdbi.registerColumnMapper(Instant.class, (rs, col, ctx) -> {
            OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        });
        return jdbi;
    }

    private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
        InstantArgumentFactory() {
            super(Types.TIMESTAMP_WITH_TIMEZONE);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            return (position, statement, ctx) -> statement.setObject(position, Times.utc(value));
        }
    }
}
