package dev.parapet.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One audit event: what happened ({@link #name()}), when, in which session, and its attributes
 * (see {@link AuditFields} for every key and what it holds). Immutable; its JSON form, one line
 * with no trailing newline, is made once and is what every sink writes.
 *
 * <p>Attribute values are text, numbers, booleans, lists of text, and lists of maps (masked
 * columns); keys keep the order they were added in, so the same event always serialises to the
 * same bytes.
 */
public final class AuditEvent {

    /** The version of the event's JSON schema ({@code docs/audit-events.md}). */
    public static final int SCHEMA_VERSION = 1;

    private static final JsonFactory JSON = new JsonFactory();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final Instant time;
    private final String name;
    private final String sessionId;
    private final Map<String, Object> attributes;
    private volatile byte[] json;

    private AuditEvent(String id, Instant time, String name, String sessionId, Map<String, Object> attributes, byte[] json) {
        this.id = id;
        this.time = time;
        this.name = name;
        this.sessionId = sessionId;
        this.attributes = attributes;
        this.json = json;
    }

    /** A builder for an event named {@code name} (one of {@link AuditFields}'s event names), at {@code time}. */
    public static Builder builder(String name, Instant time) {
        return new Builder(name, time);
    }

    /** A unique id ordered by time: a version-7 UUID (48 bits of milliseconds, then random bits). */
    static String newId(Instant time) {
        long millis = time.toEpochMilli();
        long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    public String id() {
        return id;
    }

    public Instant time() {
        return time;
    }

    /** What happened: {@code parapet.connect}, {@code parapet.statement}, {@code parapet.disconnect}, ... */
    public String name() {
        return name;
    }

    /** The gateway session the event belongs to ("" for events of no session). */
    public String sessionId() {
        return sessionId;
    }

    /** The attributes, in order (see {@link AuditFields}). */
    public Map<String, Object> attributes() {
        return attributes;
    }

    public Object attribute(String key) {
        return attributes.get(key);
    }

    /** An attribute as text, or null. */
    public String text(String key) {
        Object value = attributes.get(key);
        return value == null ? null : value.toString();
    }

    /** The event as one line of JSON (UTF-8, no newline). */
    public byte[] json() {
        byte[] bytes = json;
        if (bytes == null) {
            bytes = render();
            json = bytes;
        }
        return bytes;
    }

    private byte[] render() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField(AuditFields.SCHEMA, SCHEMA_VERSION);
            g.writeStringField(AuditFields.EVENT_ID, id);
            g.writeStringField(AuditFields.EVENT_NAME, name);
            g.writeStringField(AuditFields.TIME, DateTimeFormatter.ISO_INSTANT.format(time));
            g.writeStringField(AuditFields.SESSION_ID, sessionId);
            for (Map.Entry<String, Object> e : attributes.entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Double d -> g.writeNumber(d);
            case Boolean b -> g.writeBoolean(b);
            case List<?> list -> {
                g.writeStartArray();
                for (Object item : list) {
                    write(g, item);
                }
                g.writeEndArray();
            }
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            default -> g.writeString(value.toString());
        }
    }

    /**
     * Reads an event back from its JSON line (a spool, a file being verified). The event keeps
     * {@code line} as its JSON, byte for byte.
     *
     * @throws IllegalArgumentException when the line is not an event
     */
    public static AuditEvent parse(byte[] line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("an audit event is a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> all = (Map<String, Object>) read(p, JsonToken.START_OBJECT);
            Object id = all.remove(AuditFields.EVENT_ID);
            Object name = all.remove(AuditFields.EVENT_NAME);
            Object time = all.remove(AuditFields.TIME);
            Object session = all.remove(AuditFields.SESSION_ID);
            all.remove(AuditFields.SCHEMA);
            if (id == null || name == null || time == null) {
                throw new IllegalArgumentException("an audit event needs " + AuditFields.EVENT_ID + ", "
                        + AuditFields.EVENT_NAME + " and " + AuditFields.TIME);
            }
            return new AuditEvent(id.toString(), Instant.parse(time.toString()), name.toString(),
                    session == null ? "" : session.toString(), Collections.unmodifiableMap(all), line.clone());
        } catch (IOException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not an audit event: " + e.getMessage(), e);
        }
    }

    private static Object read(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    map.put(key, read(p, p.nextToken()));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    list.add(read(p, t));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() == JsonParser.NumberType.INT ? (Object) p.getIntValue() : (Object) p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected " + token);
        }
    }

    @Override
    public String toString() {
        return new String(json(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Collects an event's attributes. Not thread-safe; build once. */
    public static final class Builder {
        private final String name;
        private final Instant time;
        private String sessionId = "";
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        private Builder(String name, Instant time) {
            this.name = Objects.requireNonNull(name, "name");
            this.time = time.truncatedTo(ChronoUnit.MICROS);
        }

        public Builder session(String id) {
            this.sessionId = id == null ? "" : id;
            return this;
        }

        /** Sets {@code key}; a null value or an empty text or list leaves it out. */
        public Builder put(String key, Object value) {
            if (value == null || value instanceof String s && s.isEmpty() || value instanceof List<?> l && l.isEmpty()
                    || value instanceof Map<?, ?> m && m.isEmpty()) {
                return this;
            }
            attributes.put(key, value instanceof List<?> l ? List.copyOf(l) : value);
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(newId(time), time, name, sessionId, Collections.unmodifiableMap(new LinkedHashMap<>(attributes)), null);
        }
    }
}
