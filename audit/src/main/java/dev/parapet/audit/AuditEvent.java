package dev.parapet.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
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

    private final String id;
    private final Instant time;
    private final String name;
    private final String sessionId;
    private final List<Fragment> fragments;
    private final Map<String, Object> own;
    private volatile Map<String, Object> attributes;
    private volatile byte[] json;

    private AuditEvent(String id, Instant time, String name, String sessionId, List<Fragment> fragments,
            Map<String, Object> own, byte[] json) {
        this.id = id;
        this.time = time;
        this.name = name;
        this.sessionId = sessionId;
        this.fragments = fragments;
        this.own = own;
        this.json = json;
    }

    /**
     * Attributes that many events share (those of a session, those of a statement shape), kept
     * once and turned into JSON once, however many events carry them. Immutable.
     */
    public static final class Fragment {
        private final Map<String, Object> attributes;
        private volatile String json;

        private Fragment(Map<String, Object> attributes) {
            this.attributes = attributes;
        }

        /** A fragment of the attributes {@code fill} puts (with the same rules as {@link Builder#put}). */
        public static Fragment of(java.util.function.Consumer<Builder> fill) {
            Builder builder = new Builder("", Instant.EPOCH);
            fill.accept(builder);
            return new Fragment(Collections.unmodifiableMap(builder.attributes));
        }

        public Map<String, Object> attributes() {
            return attributes;
        }

        /** The members as JSON, without braces: {@code "k":v,"k2":v2}. */
        String json() {
            String text = json;
            if (text == null) {
                StringBuilder out = new StringBuilder(attributes.size() * 32);
                JsonText.members(out, attributes);
                text = out.toString();
                json = text;
            }
            return text;
        }
    }

    /** A builder for an event named {@code name} (one of {@link AuditFields}'s event names), at {@code time}. */
    public static Builder builder(String name, Instant time) {
        return new Builder(name, time);
    }

    /**
     * A unique id ordered by time: a version-7 UUID (48 bits of milliseconds, then 74 random bits).
     * The bits need to be unique, not secret, so they come from a fast generator.
     */
    static String newId(Instant time) {
        long millis = time.toEpochMilli();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
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
        Map<String, Object> all = attributes;
        if (all == null) {
            if (fragments.isEmpty()) {
                all = own;
            } else {
                Map<String, Object> merged = new LinkedHashMap<>();
                fragments.forEach(f -> merged.putAll(f.attributes));
                merged.putAll(own);
                all = Collections.unmodifiableMap(merged);
            }
            attributes = all;
        }
        return all;
    }

    public Object attribute(String key) {
        Object value = own.get(key);
        if (value == null) {
            for (Fragment fragment : fragments) {
                value = fragment.attributes.get(key);
                if (value != null) {
                    break;
                }
            }
        }
        return value;
    }

    /** An attribute as text, or null. */
    public String text(String key) {
        Object value = attribute(key);
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
        StringBuilder out = new StringBuilder(1024);
        out.append("{\"").append(AuditFields.SCHEMA).append("\":").append(SCHEMA_VERSION).append(',');
        JsonText.string(out, AuditFields.EVENT_ID);
        out.append(':');
        JsonText.string(out, id);
        out.append(',');
        JsonText.string(out, AuditFields.EVENT_NAME);
        out.append(':');
        JsonText.string(out, name);
        out.append(',');
        JsonText.string(out, AuditFields.TIME);
        out.append(":\"");
        Timestamps.append(out, time);
        out.append("\",");
        JsonText.string(out, AuditFields.SESSION_ID);
        out.append(':');
        JsonText.string(out, sessionId);
        for (Fragment fragment : fragments) {
            if (!fragment.attributes.isEmpty()) {
                out.append(',').append(fragment.json());
            }
        }
        if (!own.isEmpty()) {
            out.append(',');
            JsonText.members(out, own);
        }
        out.append('}');
        return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
                    session == null ? "" : session.toString(), List.of(), Collections.unmodifiableMap(all), line.clone());
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
        private List<Fragment> fragments = List.of();
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        private Builder(String name, Instant time) {
            this.name = Objects.requireNonNull(name, "name");
            this.time = time.truncatedTo(ChronoUnit.MICROS);
        }

        public Builder session(String id) {
            this.sessionId = id == null ? "" : id;
            return this;
        }

        /** Adds the attributes of shared fragments, in order, before the event's own. */
        public Builder with(Fragment... shared) {
            if (fragments.isEmpty()) {
                fragments = new ArrayList<>(2);
            }
            Collections.addAll(fragments, shared);
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

        /** The event; the builder is spent. */
        public AuditEvent build() {
            return new AuditEvent(newId(time), time, name, sessionId, fragments, Collections.unmodifiableMap(attributes), null);
        }
    }
}
