package io.jshim.engine.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class GoJsonTest {
    private static JsonNode parse(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void compactKeepsOrderAndEscapesHtmlAsGoDoes() throws Exception {
        assertEquals("{\"b\":1,\"a\":\"\\u003cx\\u003e \\u0026 \\\"q\\\"\",\"n\":null,\"e\":[],\"o\":{}}",
                GoJson.compact(parse("{\"b\":1,\"a\":\"<x> & \\\"q\\\"\",\"n\":null,\"e\":[],\"o\":{}}")));
    }

    @Test
    void indentMatchesMarshalIndent() throws Exception {
        String expected = "{\n  \"id\": \"c1\",\n  \"pid\": 9223372036854771712,\n  \"list\": [\n    1,\n    2\n  ],\n"
                + "  \"empty\": []\n}";
        assertEquals(expected, GoJson.indent(parse("{\"id\":\"c1\",\"pid\":9223372036854771712,\"list\":[1,2],"
                + "\"empty\":[]}"), "  "));
    }

    @Test
    void controlCharactersUseUnicodeEscapes() {
        assertEquals("\"a\\u0001\\n\\t\"", GoJson.quote("a\u0001\n\t"));
    }
}
