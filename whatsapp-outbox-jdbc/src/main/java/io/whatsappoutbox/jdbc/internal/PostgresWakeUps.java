package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.WakeUpSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTEN whatsapp_outbox on a connection of its own: the insert trigger notifies at commit, so an
 * idle dispatcher claims a new message within milliseconds. Once listening (and again after each
 * reconnection, with backoff) it wakes the dispatcher once, in case a notification was missed.
 * Internal.
 */
public final class PostgresWakeUps implements WakeUpSource {
    static final String CHANNEL = "whatsapp_outbox";
    private static final Logger log = LoggerFactory.getLogger(PostgresWakeUps.class);

    private final DataSource dataSource;

    public PostgresWakeUps(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public AutoCloseable subscribe(Runnable onWakeUp) {
        AtomicBoolean open = new AtomicBoolean(true);
        Thread listener = new Thread(() -> listen(onWakeUp, open), "whatsapp-outbox-listen");
        listener.setDaemon(true);
        listener.start();
        return () -> {
            open.set(false);
            listener.interrupt();
            listener.join(2000);
        };
    }

    private void listen(Runnable onWakeUp, AtomicBoolean open) {
        long backoffMillis = 100;
        boolean reconnecting = false;
        while (open.get()) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                if (reconnecting) {
                    log.info("Listening for enqueued messages again");
                    reconnecting = false;
                }
                // a message committed before the LISTEN took effect sent its notification to nobody
                onWakeUp.run();
                backoffMillis = 100;
                while (open.get()) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null && notifications.length > 0) {
                        onWakeUp.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!open.get()) {
                    return;
                }
                if (!reconnecting) {
                    log.warn("Lost the wake-up connection, polling meanwhile: {}", SafeText.describe(e));
                    reconnecting = true;
                }
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMillis = Math.min(backoffMillis * 2, 10_000);
            }
        }
    }
}
