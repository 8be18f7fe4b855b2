package io.whatsappoutbox.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTailTest {

    private static OutputTail fed(int lines, String... chunks) {
        OutputTail tail = new OutputTail(lines);
        for (String chunk : chunks) {
            byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
            tail.write(bytes, bytes.length);
        }
        return tail;
    }

    @Test
    void theRootCauseIsTheLastCausedByLine() {
        OutputTail tail = fed(40, "   floor/200, backlog 300: plain JDBC ... \n",
                "java.lang.IllegalStateException: floor worker 3 failed\n\tat x.y(Z.java:1)\n",
                "Caused by: org.postgresql.util.PSQLException: FATAL: sorry, too many clients already\n\tat a.b(C.java:2)\n",
                "Caused by: java.net.SocketException: Connection reset\n\tat d.e(F.java:3)\n");

        assertThat(tail.cause()).isEqualTo("java.net.SocketException: Connection reset");
    }

    @Test
    void withoutACauseTheFirstExceptionLineIsTheCauseEvenWhenItsLineWasSplitAcrossReads() {
        OutputTail tail = fed(3, "progress\njava.lang.OutOfMem", "oryError: Java heap space\r\n\tat a.b(C.java:1)\n",
                "\tat d.e(F.java:2)\n\tat g.h(I.java:3)\n\tat j.k(L.java:4)\n");

        assertThat(tail.cause()).isEqualTo("java.lang.OutOfMemoryError: Java heap space");
        assertThat(tail.text().lines()).containsExactly("\tat d.e(F.java:2)", "\tat g.h(I.java:3)", "\tat j.k(L.java:4)");
    }

    @Test
    void outputWithoutAnExceptionSaysSo() {
        OutputTail tail = fed(5, "   library: warming up\nKilled");

        assertThat(tail.cause()).isEqualTo("no exception in its output");
        assertThat(tail.text().lines()).containsExactly("   library: warming up", "Killed");
    }

    @Test
    void anExceptionPrintedRightAfterProgressWithoutANewlineIsStillTheCause() {
        OutputTail tail = new OutputTail(5);
        byte[] out = ("   floor/200: warming up ... compiling: 47.5 100.9java.sql.SQLTransientConnectionException: drain -"
                + " Connection is not available\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:184)\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        tail.write(out, out.length);
        assertThat(tail.cause()).isEqualTo("java.sql.SQLTransientConnectionException: drain - Connection is not available");
    }
}
