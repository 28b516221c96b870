package io.jshim.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JSON helpers for comparing two runtimes' output. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Parses {@code text}, failing the test (with {@code context}) if it is not JSON. */
    public static JsonNode parse(String text, Object context) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + e.getMessage() + "\n" + context, e);
        }
    }

    /** The field names of an object, in document order. */
    public static List<String> keys(JsonNode object) {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /**
     * The structure of a JSON value: every object's keys in order, with each value replaced by its
     * type ({@code string}, {@code number}, {@code boolean}, {@code null}); arrays keep their
     * elements. Two outputs with the same skeleton differ only in scalar values.
     */
    public static String skeleton(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        skeleton(node, sb);
        return sb.toString();
    }

    private static void skeleton(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append('"').append(e.getKey()).append("\":");
                skeleton(e.getValue(), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                skeleton(n.get(i), sb);
            }
            sb.append(']');
        } else if (n.isTextual()) {
            sb.append("string");
        } else if (n.isNumber()) {
            sb.append("number");
        } else if (n.isBoolean()) {
            sb.append("boolean");
        } else if (n.isNull()) {
            sb.append("null");
        } else {
            sb.append(n.getNodeType());
        }
    }

    /**
     * The layout of printed JSON: the text with every string value replaced by {@code "S"} and
     * every number by {@code N}, keeping keys, punctuation, indentation and the trailing newline
     * (or its absence). Two runtimes that print the same layout format their JSON alike.
     */
    public static String layout(String printed) {
        return printed
                .replaceAll(":( ?)\"(?:[^\"\\\\]|\\\\.)*\"", ":$1\"S\"")
                .replaceAll(":( ?)-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?", ":$1N");
    }
}
