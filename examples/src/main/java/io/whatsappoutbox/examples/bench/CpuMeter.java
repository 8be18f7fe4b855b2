package io.whatsappoutbox.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time spent by the database server (the postmaster, its live children and those it has
 * reaped) and by this JVM, in milliseconds: on a machine shared with other work, CPU per message
 * is steadier than wall-clock rates. Linux only; elsewhere it reads -1.
 */
final class CpuMeter {
    private static final long TICK_MILLIS = 10;

    private final long postmaster;

    CpuMeter(long postmasterPid) {
        this.postmaster = postmasterPid;
    }

    /** A reading of both counters. */
    record Reading(long databaseMillis, long jvmMillis) {
        Reading minus(Reading before) {
            return new Reading(databaseMillis < 0 ? -1 : databaseMillis - before.databaseMillis,
                    jvmMillis < 0 ? -1 : jvmMillis - before.jvmMillis);
        }
    }

    Reading read() {
        return new Reading(database(), jvm());
    }

    private long database() {
        long[] own = stat(Path.of("/proc", Long.toString(postmaster), "stat"));
        if (own == null) {
            return -1;
        }
        long ticks = own[1] + own[2] + own[3] + own[4];
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) processes::iterator) {
                if (p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    long[] child = stat(p.resolve("stat"));
                    if (child != null && child[0] == postmaster) {
                        ticks += child[1] + child[2];
                    }
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * TICK_MILLIS;
    }

    /** ppid, utime, stime, cutime, cstime of a process, or null when it is gone. */
    private static long[] stat(Path file) {
        try {
            String s = Files.readString(file);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long jvm() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1_000_000;
        }
        return -1;
    }
}
