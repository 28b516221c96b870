package io.jshim.engine.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds JSON to Java records and back, by the records' own components.
 *
 * <p>Why not jackson-databind's {@code readValue}: each jrunc call is a fresh JVM,
 * and databind builds a deserializer per type by introspection on first use —
 * measured here at ~250 ms for config.json's ~30 record types, half of a whole
 * {@code jrunc run}. Reading records by their components needs a few
 * reflective lookups per type instead. jackson-core still does the parsing, and
 * the tree is Jackson's {@link JsonNode}, so everything else keeps using Jackson.
 *
 * <p>Rules, matching what the engine needs from Jackson: unknown fields are
 * ignored (newer spec versions add fields); absent or null fields are null;
 * {@code List<T>}, {@code Map<String,T>}, nested records, boxed scalars, String
 * and JsonNode are supported; a component annotated
 * {@code @JsonDeserialize(using = X.class)} whose deserializer is named
 * {@code Unsigned} takes a uint64 and wraps it as Go does. Type mismatches fail
 * with the field's path: {@code process.args: expected an array, got a string}.
 */
public final class RecordJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final Map<Class<?>, Binding> BINDINGS = new ConcurrentHashMap<>();

    private RecordJson() {
    }

    /** A value in the JSON does not fit the record; the message starts with the field's path. */
    public static final class BindException extends Exception {
        private final String path;

        BindException(String path, String message) {
            super((path.isEmpty() ? "(root)" : path) + ": " + message);
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    // ---- parsing ---------------------------------------------------------------------------

    /** Parses JSON text into a tree with jackson-core alone (no ObjectMapper). */
    public static JsonNode parse(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "no content");
            }
            JsonNode n = read(p, t);
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content after the JSON value");
            }
            return n;
        }
    }

    private static JsonNode read(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, read(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                    a.add(read(p, v));
                }
                return a;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> f.numberNode(p.getIntValue());
                    case LONG -> f.numberNode(p.getLongValue());
                    default -> f.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return f.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE -> {
                return f.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return f.booleanNode(false);
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    // ---- binding ---------------------------------------------------------------------------

    public static <T> T bind(JsonNode node, Class<T> type) throws BindException {
        return type.cast(value(node, type, ""));
    }

    public static <T> T read(byte[] json, Class<T> type) throws IOException, BindException {
        return bind(parse(json), type);
    }

    private record Binding(RecordComponent[] components, Constructor<?> ctor, boolean[] unsigned) {
    }

    private static Binding binding(Class<?> type) {
        return BINDINGS.computeIfAbsent(type, t -> {
            RecordComponent[] rc = t.getRecordComponents();
            Class<?>[] types = new Class<?>[rc.length];
            boolean[] unsigned = new boolean[rc.length];
            for (int i = 0; i < rc.length; i++) {
                types[i] = rc[i].getType();
                // @JsonDeserialize cannot target a record component; javac copies it to
                // the component's private field, parameter and accessor instead.
                JsonDeserialize d = rc[i].getAccessor().getAnnotation(JsonDeserialize.class);
                unsigned[i] = d != null && d.using().getSimpleName().equals("Unsigned");
            }
            try {
                Constructor<?> c = t.getDeclaredConstructor(types);
                c.setAccessible(true);
                return new Binding(rc, c, unsigned);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record " + t + " has no canonical constructor", e);
            }
        });
    }

    /**
     * The JSON name of a component: its {@code @JsonProperty} value if it has one (for names
     * Java cannot use, like ioPriority's {@code "class"}), else the component's name. The
     * annotation lands on the accessor, since JsonProperty does not target record components.
     */
    private static String jsonName(RecordComponent c) {
        com.fasterxml.jackson.annotation.JsonProperty p =
                c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    private static Object record(JsonNode node, Class<?> type, String path) throws BindException {
        if (!node.isObject()) {
            throw new BindException(path, "expected an object, got " + kind(node));
        }
        Binding b = binding(type);
        Object[] args = new Object[b.components().length];
        for (int i = 0; i < args.length; i++) {
            RecordComponent c = b.components()[i];
            JsonNode v = node.get(jsonName(c));
            String sub = path.isEmpty() ? jsonName(c) : path + "." + jsonName(c);
            if (b.unsigned()[i] && v != null && v.isIntegralNumber()) {
                args[i] = unsigned(v, sub);
            } else {
                args[i] = value(v, c.getGenericType(), sub);
            }
            if (args[i] == null && c.getType().isPrimitive()) {
                args[i] = primitiveDefault(c.getType());
            }
        }
        try {
            return b.ctor().newInstance(args);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new BindException(path, "invalid value: " + cause.getMessage());
        }
    }

    private static Object value(JsonNode v, Type type, String path) throws BindException {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                if (!v.isArray()) {
                    throw new BindException(path, "expected an array, got " + kind(v));
                }
                List<Object> out = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    out.add(value(v.get(i), args[0], path + "[" + i + "]"));
                }
                return out;
            }
            if (Map.class.isAssignableFrom(raw)) {
                if (!v.isObject()) {
                    throw new BindException(path, "expected an object, got " + kind(v));
                }
                Map<String, Object> out = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    out.put(e.getKey(), value(e.getValue(), args[1], path + "." + e.getKey()));
                }
                return out;
            }
            throw new BindException(path, "unsupported type " + pt);
        }
        Class<?> c = (Class<?>) type;
        if (c.isRecord()) {
            return record(v, c, path);
        }
        if (JsonNode.class.isAssignableFrom(c)) {
            return v;
        }
        if (c == String.class) {
            if (v.isContainerNode()) {
                throw new BindException(path, "expected a string, got " + kind(v));
            }
            return v.asText();
        }
        if (c == Boolean.class || c == boolean.class) {
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            if (v.isTextual() && (v.textValue().equals("true") || v.textValue().equals("false"))) {
                return Boolean.valueOf(v.textValue());
            }
            throw new BindException(path, "expected true or false, got " + kind(v));
        }
        if (c == Long.class || c == long.class) {
            BigInteger b = integer(v, path);
            if (b.bitLength() > 63) {
                throw new BindException(path, "number " + b + " is out of range");
            }
            return b.longValue();
        }
        if (c == Integer.class || c == int.class) {
            BigInteger b = integer(v, path);
            if (b.bitLength() > 31) {
                throw new BindException(path, "number " + b + " is out of range");
            }
            return b.intValue();
        }
        if (c == Double.class || c == double.class) {
            if (!v.isNumber()) {
                throw new BindException(path, "expected a number, got " + kind(v));
            }
            return v.doubleValue();
        }
        if (c.isEnum()) {
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(v.asText())) {
                    return constant;
                }
            }
            throw new BindException(path, "unknown value " + GoJson.quote(v.asText()));
        }
        if (c == Object.class) {
            return v;
        }
        throw new BindException(path, "unsupported type " + c.getName());
    }

    private static BigInteger integer(JsonNode v, String path) throws BindException {
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue();
        }
        if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue())) {
            return BigInteger.valueOf((long) v.doubleValue());
        }
        throw new BindException(path, "expected an integer, got " + kind(v));
    }

    /** A Go uint64: values above Long.MAX_VALUE wrap to negative, so "-1 means unlimited" checks still work. */
    private static Long unsigned(JsonNode v, String path) throws BindException {
        BigInteger b = v.bigIntegerValue();
        if (b.signum() < 0 && b.bitLength() <= 63) {
            return b.longValue();
        }
        if (b.signum() < 0 || b.compareTo(TWO_64) >= 0) {
            throw new BindException(path, "number " + b + " is out of range for an unsigned 64-bit value");
        }
        return b.longValue();
    }

    private static Object primitiveDefault(Class<?> c) {
        if (c == boolean.class) {
            return false;
        }
        if (c == long.class) {
            return 0L;
        }
        if (c == int.class) {
            return 0;
        }
        if (c == double.class) {
            return 0.0;
        }
        return null;
    }

    private static String kind(JsonNode v) {
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "an array";
        }
        if (v.isTextual()) {
            return "a string";
        }
        if (v.isNumber()) {
            return "a number";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        return "null";
    }

    // ---- writing ---------------------------------------------------------------------------

    /** A record as a tree: components in declaration order, nulls left out (as {@code NON_NULL}). */
    public static JsonNode tree(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof JsonNode n) {
            return n;
        }
        if (value instanceof String s) {
            return f.textNode(s);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return f.numberNode(i);
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof Double d) {
            return f.numberNode(d);
        }
        if (value instanceof Enum<?> e) {
            return f.textNode(e.name());
        }
        if (value instanceof List<?> list) {
            ArrayNode a = f.arrayNode();
            for (Object o : list) {
                a.add(tree(o));
            }
            return a;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode o = f.objectNode();
            map.forEach((k, v) -> o.set(String.valueOf(k), tree(v)));
            return o;
        }
        if (value.getClass().isRecord()) {
            ObjectNode o = f.objectNode();
            for (RecordComponent c : binding(value.getClass()).components()) {
                try {
                    var accessor = c.getAccessor();
                    accessor.setAccessible(true);
                    Object v = accessor.invoke(value);
                    if (v != null) {
                        o.set(jsonName(c), tree(v));
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("read " + c + ": " + e, e);
                }
            }
            return o;
        }
        return f.textNode(value.toString());
    }

    public static byte[] write(Object value) {
        return GoJson.compact(tree(value)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
