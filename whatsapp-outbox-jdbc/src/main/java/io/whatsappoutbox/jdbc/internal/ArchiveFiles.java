package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two archive formats: writing rows, and reading a written file back for its ids, which is
 * how an archive proves the files hold exactly the rows it is about to delete. Internal.
 */
final class ArchiveFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveFiles() {}

    /** Every {@code outbound_message} column, in file order: an archive can be loaded back as it is. */
    static final List<String> MESSAGE_COLUMNS = List.of("id", "org_id", "dossier_id", "channel", "direction",
            "to_recipient", "template_code", "subject", "content_type", "payload_json", "content_hash", "status",
            "idempotency_key", "attempt_count", "max_attempts", "deferral_count", "next_attempt_at", "locked_by",
            "locked_until", "error_code", "error_message", "error_category", "provider", "provider_message_id",
            "fallback_of", "operation_id", "created_at", "updated_at", "sent_at", "delivered_at", "read_at",
            "failed_at", "created_by", "updated_by", "consent_purpose", "send_by", "priority", "ordering_key",
            "recipient_time_zone", "trace_context");

    static final List<String> ATTEMPT_COLUMNS = List.of("id", "message_id", "org_id", "attempt_number", "provider",
            "outcome", "error_code", "error_message", "error_category", "http_status", "provider_message_id",
            "lease_owner", "started_at", "duration_ms", "next_attempt_at", "pricing_category", "pricing_model", "billable",
            "conversation_id", "conversation_origin");

    /** A row read as column name to value: numbers, booleans, ISO-8601 UTC instants, JSON text as text. */
    static Map<String, Object> row(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            int type = md.getColumnType(i);
            Object value;
            if ("timestamptz".equals(md.getColumnTypeName(i))) {
                OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                value = t == null ? null : t.toInstant().toString();
            } else if (type == Types.INTEGER || type == Types.BIGINT || type == Types.SMALLINT) {
                long v = rs.getLong(i);
                value = rs.wasNull() ? null : v;
            } else if (type == Types.BOOLEAN || type == Types.BIT) {
                boolean v = rs.getBoolean(i);
                value = rs.wasNull() ? null : v;
            } else {
                value = rs.getString(i);
            }
            out.put(md.getColumnLabel(i), value);
        }
        return out;
    }

    /** Writes one format: the messages, and their attempts (nested, or to a second file). */
    interface RecordWriter {
        /** @param attemptsOut the attempts' own file, or null when they are nested */
        void header(Writer out, Writer attemptsOut) throws IOException;

        void write(Writer out, Writer attemptsOut, Map<String, Object> message, List<Map<String, Object>> attempts)
                throws IOException;
    }

    static RecordWriter writer(ArchiveFormat format) {
        return format == ArchiveFormat.CSV ? new Csv() : new JsonLines();
    }

    /** Where a CSV archive's attempts go: beside it, {@code dlq.csv} to {@code dlq.attempts.csv}. */
    static Path attemptsFileFor(Path file) {
        String name = file.getFileName().toString();
        String stem = name.regionMatches(true, Math.max(0, name.length() - 4), ".csv", 0, 4) && name.length() > 4
                ? name.substring(0, name.length() - 4) : name;
        return file.resolveSibling(stem + ".attempts.csv");
    }

    /**
     * RFC 4180 with CRLF; an empty unquoted field is NULL, an empty string is written {@code ""}.
     * Messages and attempts go to two files, each with its table's column names as header.
     */
    static final class Csv implements RecordWriter {
        @Override
        public void header(Writer out, Writer attemptsOut) throws IOException {
            header(out, MESSAGE_COLUMNS);
            header(attemptsOut, ATTEMPT_COLUMNS);
        }

        @Override
        public void write(Writer out, Writer attemptsOut, Map<String, Object> message,
                List<Map<String, Object>> attempts) throws IOException {
            row(out, MESSAGE_COLUMNS, message);
            for (Map<String, Object> a : attempts) {
                row(attemptsOut, ATTEMPT_COLUMNS, a);
            }
        }

        private static void header(Writer out, List<String> columns) throws IOException {
            out.write(String.join(",", columns));
            out.write("\r\n");
        }

        private static void row(Writer out, List<String> columns, Map<String, Object> row) throws IOException {
            StringBuilder line = new StringBuilder();
            for (String column : columns) {
                if (line.length() > 0) {
                    line.append(',');
                }
                Object v = row.get(column);
                if (v != null) {
                    String s = v.toString();
                    if (s.isEmpty() || s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0
                            || s.indexOf('\r') >= 0) {
                        line.append('"').append(s.replace("\"", "\"\"")).append('"');
                    } else {
                        line.append(s);
                    }
                }
            }
            out.write(line.append("\r\n").toString());
        }
    }

    /** One JSON object per line, keys as the column names, the payload as JSON, attempts nested. */
    static final class JsonLines implements RecordWriter {
        @Override
        public void header(Writer out, Writer attemptsOut) {
            // no header: every line describes itself
        }

        @Override
        public void write(Writer out, Writer attemptsOut, Map<String, Object> message,
                List<Map<String, Object>> attempts) throws IOException {
            ObjectNode node = object(message, MESSAGE_COLUMNS);
            Object payload = message.get("payload_json");
            if (payload != null) {
                node.set("payload_json", JSON.readTree(payload.toString()));
            }
            ArrayNode list = node.putArray("attempts");
            for (Map<String, Object> a : attempts) {
                list.add(object(a, ATTEMPT_COLUMNS));
            }
            out.write(JSON.writeValueAsString(node));
            out.write('\n');
        }

        /** A row of any table, every column it was read with, in its order. */
        static void writeRow(Writer out, Map<String, Object> row) throws IOException {
            out.write(JSON.writeValueAsString(object(row, List.copyOf(row.keySet()))));
            out.write('\n');
        }

        private static ObjectNode object(Map<String, Object> row, List<String> columns) {
            ObjectNode node = JSON.createObjectNode();
            for (String c : columns) {
                Object v = row.get(c);
                if (v == null) {
                    node.putNull(c);
                } else if (v instanceof Long l) {
                    node.put(c, l);
                } else if (v instanceof Boolean b) {
                    node.put(c, b);
                } else {
                    node.put(c, v.toString());
                }
            }
            return node;
        }
    }

    /**
     * What a written file holds, in file order: its message ids, the attempt ids in it (nested in
     * JSON Lines, or the rows of a CSV attempts file), and its SHA-256.
     */
    record Contents(List<Long> ids, List<Long> attemptIds, String sha256) {}

    /**
     * Reads a written file back. A file that does not parse, or whose header is not the expected
     * one, fails: the caller then deletes nothing.
     */
    static Contents readBack(Path file, ArchiveFormat format) throws IOException {
        return read(file, (reader, ids, attemptIds) -> {
            if (format == ArchiveFormat.CSV) {
                readCsvIds(reader, MESSAGE_COLUMNS, ids);
            } else {
                readJsonIds(reader, ids, attemptIds);
            }
        });
    }

    /** Reads a CSV attempts file back: its attempt ids, in file order. */
    static Contents readBackAttempts(Path file) throws IOException {
        return read(file, (reader, ids, attemptIds) -> readCsvIds(reader, ATTEMPT_COLUMNS, attemptIds));
    }

    private interface Reading {
        void read(BufferedReader reader, List<Long> ids, List<Long> attemptIds) throws IOException;
    }

    private static Contents read(Path file, Reading reading) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        List<Long> ids = new ArrayList<>();
        List<Long> attemptIds = new ArrayList<>();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reading.read(reader, ids, attemptIds);
            while (reader.read() >= 0) {
                // drain so the digest covers the whole file
            }
        }
        return new Contents(List.copyOf(ids), List.copyOf(attemptIds), HexFormat.of().formatHex(digest.digest()));
    }

    private static void readJsonIds(BufferedReader reader, List<Long> ids, List<Long> attemptIds) throws IOException {
        String line;
        int n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IOException("line " + n + " is not JSON", e);
            }
            if (node == null || !node.path("id").canConvertToLong()) {
                throw new IOException("line " + n + " has no message id");
            }
            ids.add(node.get("id").asLong());
            for (JsonNode a : node.path("attempts")) {
                if (!a.path("id").canConvertToLong()) {
                    throw new IOException("line " + n + " has an attempt without id");
                }
                attemptIds.add(a.get("id").asLong());
            }
        }
    }

    private static void readCsvIds(BufferedReader reader, List<String> columns, List<Long> ids) throws IOException {
        List<String> record = new ArrayList<>();
        boolean header = true;
        while (readCsvRecord(reader, record)) {
            if (header) {
                if (!record.equals(columns)) {
                    throw new IOException("unexpected CSV header");
                }
                header = false;
                continue;
            }
            if (record.size() != columns.size()) {
                throw new IOException("record " + (ids.size() + 1) + " has " + record.size() + " fields");
            }
            try {
                ids.add(Long.parseLong(record.get(0)));
            } catch (NumberFormatException e) {
                throw new IOException("record " + (ids.size() + 1) + " has no id", e);
            }
        }
        if (header) {
            throw new IOException("no CSV header");
        }
    }

    /** One RFC 4180 record (quoted fields may hold commas, quotes and line breaks); false at the end. */
    static boolean readCsvRecord(BufferedReader in, List<String> fields) throws IOException {
        fields.clear();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        int c;
        while ((c = in.read()) >= 0) {
            any = true;
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int next = in.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next >= 0) {
                            in.reset();
                        }
                    }
                } else {
                    field.append((char) c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\r') {
                continue;
            } else if (c == '\n') {
                fields.add(field.toString());
                return true;
            } else {
                field.append((char) c);
            }
        }
        if (quoted) {
            throw new IOException("unterminated quoted field");
        }
        if (any) {
            fields.add(field.toString());
        }
        return any;
    }
}
