package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbisTest {
    static final String NUMBER = "+33612345678";
    static HikariDataSource ds;
    static Jdbi jdbi;

    @BeforeAll
    static void start() {
        ds = TestDatabase.newEmptyDatabase(2);
        jdbi = Jdbis.create(ds);
        jdbi.useHandle(h -> h.execute("CREATE TABLE recipient (phone text PRIMARY KEY)"));
    }

    @AfterAll
    static void stop() {
        ds.close();
    }

    @Test
    void aFailedStatementDoesNotQuoteItsBoundValues() {
        Throwable e = catchThrowable(() -> jdbi.useHandle(h -> h.createUpdate(
                "INSERT INTO no_such_table (phone) VALUES (:phone)").bind("phone", NUMBER).execute()));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain(NUMBER).doesNotContain("arguments").contains("no_such_table");
        assertThat(e.toString()).doesNotContain(NUMBER);
    }

    @Test
    void whatTheServerQuotesIsMaskedWhenTheErrorIsDescribed() {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO recipient VALUES (:phone)").bind("phone", NUMBER).execute());
        // the server's own detail names the duplicate key: a log line gets it masked
        Throwable e = catchThrowable(() -> jdbi.useHandle(h -> h.createUpdate("INSERT INTO recipient VALUES (:phone)")
                .bind("phone", NUMBER).execute()));
        assertThat(e).isNotNull();
        assertThat(SafeText.describe(e)).doesNotContain(NUMBER).contains("duplicate key");
    }
}
