package io.jshim.engine.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON exactly as Go's encoding/json does, since callers of runc compare
 * bytes: keys in the node's order, {@code < > &} and U+2028/U+2029 escaped as
 * \\u003c etc. (encoding/json's HTML-safe default), integers printed in full, and
 * MarshalIndent's layout ({@code "key": value}, empty {@code []} and {@code {}}).
 */
public final class GoJson {
    private GoJson() {
    }

    public static String compact(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(sb, node, null, "");
        return sb.toString();
    }

    /** json.MarshalIndent(v, "", indent). */
    public static String indent(JsonNode node, String indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, node, indent, "");
        return sb.toString();
    }

    private static void write(StringBuilder sb, JsonNode node, String indent, String current) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            sb.append("null");
        } else if (node.isObject()) {
            if (node.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            String inner = indent == null ? null : current + indent;
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, inner);
                string(sb, e.getKey());
                sb.append(indent == null ? ":" : ": ");
                write(sb, e.getValue(), indent, inner);
            }
            newline(sb, current == null || indent == null ? null : current);
            sb.append('}');
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            String inner = indent == null ? null : current + indent;
            boolean first = true;
            for (JsonNode child : node) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, inner);
                write(sb, child, indent, inner);
            }
            newline(sb, indent == null ? null : current);
            sb.append(']');
        } else if (node.isTextual()) {
            string(sb, node.textValue());
        } else if (node.isBigInteger() || node.isIntegralNumber()) {
            sb.append(node.bigIntegerValue().toString());
        } else if (node.isNumber()) {
            sb.append(node.numberValue().toString());
        } else if (node.isBoolean()) {
            sb.append(node.booleanValue());
        } else {
            string(sb, node.asText());
        }
    }

    private static void newline(StringBuilder sb, String indentation) {
        if (indentation != null) {
            sb.append('\n').append(indentation);
        }
    }

    /** Go's encodeState.string with escapeHTML=true. */
    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        string(sb, s);
        return sb.toString();
    }
}
