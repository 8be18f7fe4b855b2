package io.whatsappoutbox.examples.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain text table with aligned columns, as psql prints them. */
final class Table {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(cell(c));
        }
        rows.add(r);
        return this;
    }

    static String cell(Object c) {
        if (c == null) {
            return "-";
        }
        if (c instanceof Instant t) {
            return TIME.format(t);
        }
        if (c instanceof java.time.Duration d) {
            return Durations.human(d);
        }
        String s = c.toString().replace('\n', ' ').replace('\r', ' ');
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        line(out, headers, width);
        String[] rule = new String[width.length];
        for (int i = 0; i < width.length; i++) {
            char[] dashes = new char[width[i]];
            Arrays.fill(dashes, '-');
            rule[i] = new String(dashes);
        }
        line(out, List.of(rule), width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
        if (rows.isEmpty()) {
            out.println("(none)");
        }
    }

    private static void line(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append("  ");
            }
            b.append(cells.get(i));
            if (i < cells.size() - 1) {
                b.append(" ".repeat(width[i] - cells.get(i).length()));
            }
        }
        out.println(b);
    }
}
