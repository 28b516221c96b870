package io.jshim.engine.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jshim.engine.spec.LinuxResources.DeviceCgroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generated eBPF device filter, instruction for instruction against the listings of runc's
 * devicefilter_test.go (which prints cilium/ebpf's mnemonics with symbolic jump targets), and
 * byte for byte for a small rule set.
 */
class DeviceFilterProgramTest {

    private static final String LOAD = """
            0: LdXMemW dst: r2 src: r1 off: 0 imm: 0
            1: And32Imm dst: r2 imm: 65535
            2: LdXMemW dst: r3 src: r1 off: 0 imm: 0
            3: RSh32Imm dst: r3 imm: 16
            4: LdXMemW dst: r4 src: r1 off: 4 imm: 0
            5: LdXMemW dst: r5 src: r1 off: 8 imm: 0
            """;

    static DeviceRule rule(char type, long major, long minor, String access, boolean allow) {
        return new DeviceRule(type, major, minor, access, allow);
    }

    /** cilium/ebpf's text for one instruction, as runc's test expects it. */
    static String mnemonic(DeviceFilterProgram.Insn i) {
        return switch (i.code()) {
            case DeviceFilterProgram.LDX_MEM_W -> "LdXMemW dst: r" + i.dst() + " src: r" + i.src() + " off: " + i.off()
                    + " imm: " + i.imm();
            case DeviceFilterProgram.ALU_AND_K -> "And32Imm dst: r" + i.dst() + " imm: " + i.imm();
            case DeviceFilterProgram.ALU_RSH_K -> "RSh32Imm dst: r" + i.dst() + " imm: " + i.imm();
            case DeviceFilterProgram.ALU_MOV_K -> "Mov32Imm dst: r" + i.dst() + " imm: " + i.imm();
            case DeviceFilterProgram.ALU_MOV_X -> "Mov32Reg dst: r" + i.dst() + " src: r" + i.src();
            case DeviceFilterProgram.JMP_JNE_K -> "JNEImm dst: r" + i.dst() + " off: " + i.off() + " imm: " + i.imm();
            case DeviceFilterProgram.JMP_JNE_X -> "JNEReg dst: r" + i.dst() + " off: " + i.off() + " src: r" + i.src();
            case DeviceFilterProgram.JMP_EXIT -> "Exit";
            default -> "?" + Integer.toHexString(i.code());
        };
    }

    /**
     * A listing in runc's format: "N: insn", "block-K:" labels and "// comments"; a jump's
     * "off: -1 ... <block-K>" is resolved to the real offset (to block K's first instruction).
     */
    static List<String> expected(String listing) {
        Map<String, Integer> labels = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (String raw : listing.strip().split("\n")) {
            String l = raw.strip();
            if (l.isEmpty() || l.startsWith("//")) {
                continue;
            }
            if (l.endsWith(":") && l.startsWith("block-")) {
                labels.put(l.substring(0, l.length() - 1), lines.size());
                continue;
            }
            lines.add(l.substring(l.indexOf(':') + 1).strip());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int lt = l.indexOf(" <block-");
            if (lt >= 0) {
                String label = l.substring(lt + 2, l.length() - 1);
                int off = labels.get(label) - (i + 1);
                l = l.substring(0, lt).replace("off: -1", "off: " + off);
            }
            out.add(l);
        }
        return out;
    }

    static List<String> actual(List<DeviceRule> rules) throws DeviceRuleException {
        return DeviceFilterProgram.of(rules).instructions().stream().map(DeviceFilterProgramTest::mnemonic).toList();
    }

    @Test
    void noRulesDenyEverything() throws Exception {
        assertEquals(expected(LOAD + """
                block-0:
                6: Mov32Imm dst: r0 imm: 0
                7: Exit
                """), actual(List.of()));
    }

    @Test
    void runcsBuiltInAllowList() throws Exception {
        List<DeviceRule> rules = new ArrayList<>();
        List<DeviceCgroup> defaults = DefaultDeviceRules.forSpec(io.jshim.engine.json.RecordJson.bind(
                io.jshim.engine.json.Json.MAPPER.readTree("{}"), io.jshim.engine.spec.Spec.class));
        for (int i = 0; i < defaults.size(); i++) {
            rules.add(DeviceRule.of(defaults.get(i), i));
        }
        assertEquals(expected(LOAD + """
                block-0:
                6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
                7: Mov32Reg dst: r1 src: r3
                8: And32Imm dst: r1 imm: 1
                9: JNEReg dst: r1 off: -1 src: r3 <block-1>
                10: Mov32Imm dst: r0 imm: 1
                11: Exit
                block-1:
                12: JNEImm dst: r2 off: -1 imm: 2 <block-2>
                13: Mov32Reg dst: r1 src: r3
                14: And32Imm dst: r1 imm: 1
                15: JNEReg dst: r1 off: -1 src: r3 <block-2>
                16: Mov32Imm dst: r0 imm: 1
                17: Exit
                block-2:
                18: JNEImm dst: r2 off: -1 imm: 2 <block-3>
                19: JNEImm dst: r4 off: -1 imm: 1 <block-3>
                20: JNEImm dst: r5 off: -1 imm: 3 <block-3>
                21: Mov32Imm dst: r0 imm: 1
                22: Exit
                block-3:
                23: JNEImm dst: r2 off: -1 imm: 2 <block-4>
                24: JNEImm dst: r4 off: -1 imm: 1 <block-4>
                25: JNEImm dst: r5 off: -1 imm: 5 <block-4>
                26: Mov32Imm dst: r0 imm: 1
                27: Exit
                block-4:
                28: JNEImm dst: r2 off: -1 imm: 2 <block-5>
                29: JNEImm dst: r4 off: -1 imm: 1 <block-5>
                30: JNEImm dst: r5 off: -1 imm: 7 <block-5>
                31: Mov32Imm dst: r0 imm: 1
                32: Exit
                block-5:
                33: JNEImm dst: r2 off: -1 imm: 2 <block-6>
                34: JNEImm dst: r4 off: -1 imm: 1 <block-6>
                35: JNEImm dst: r5 off: -1 imm: 8 <block-6>
                36: Mov32Imm dst: r0 imm: 1
                37: Exit
                block-6:
                38: JNEImm dst: r2 off: -1 imm: 2 <block-7>
                39: JNEImm dst: r4 off: -1 imm: 1 <block-7>
                40: JNEImm dst: r5 off: -1 imm: 9 <block-7>
                41: Mov32Imm dst: r0 imm: 1
                42: Exit
                block-7:
                43: JNEImm dst: r2 off: -1 imm: 2 <block-8>
                44: JNEImm dst: r4 off: -1 imm: 5 <block-8>
                45: JNEImm dst: r5 off: -1 imm: 0 <block-8>
                46: Mov32Imm dst: r0 imm: 1
                47: Exit
                block-8:
                48: JNEImm dst: r2 off: -1 imm: 2 <block-9>
                49: JNEImm dst: r4 off: -1 imm: 5 <block-9>
                50: JNEImm dst: r5 off: -1 imm: 2 <block-9>
                51: Mov32Imm dst: r0 imm: 1
                52: Exit
                block-9:
                53: JNEImm dst: r2 off: -1 imm: 2 <block-10>
                54: JNEImm dst: r4 off: -1 imm: 10 <block-10>
                55: JNEImm dst: r5 off: -1 imm: 200 <block-10>
                56: Mov32Imm dst: r0 imm: 1
                57: Exit
                block-10:
                58: JNEImm dst: r2 off: -1 imm: 2 <block-11>
                59: JNEImm dst: r4 off: -1 imm: 136 <block-11>
                60: Mov32Imm dst: r0 imm: 1
                61: Exit
                block-11:
                62: Mov32Imm dst: r0 imm: 0
                63: Exit
                """), actual(rules));
    }

    @Test
    void privilegedAllowsEverything() throws Exception {
        assertEquals(expected(LOAD + """
                block-0:
                6: Mov32Imm dst: r0 imm: 1
                7: Exit
                """), actual(List.of(rule('a', -1, -1, "rwm", true))));
    }

    @Test
    void privilegedExceptOneBlockDevice() throws Exception {
        assertEquals(expected(LOAD + """
                block-0:
                6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
                7: JNEImm dst: r4 off: -1 imm: 8 <block-1>
                8: JNEImm dst: r5 off: -1 imm: 0 <block-1>
                9: Mov32Imm dst: r0 imm: 0
                10: Exit
                block-1:
                11: Mov32Imm dst: r0 imm: 1
                12: Exit
                """), actual(List.of(rule('a', -1, -1, "rwm", true), rule('b', 8, 0, "rwm", false))));
    }

    @Test
    void denyAllThenOneReadOnlyDeviceInBytes() throws Exception {
        // deny all, allow "c 1:3 r": 6 loads, one 6-instruction block, the default
        DeviceFilterProgram p = DeviceFilterProgram.of(List.of(rule('a', -1, -1, "rwm", false),
                rule('c', 1, 3, "r", true)));
        assertEquals(16, p.instructionCount());
        assertEquals(""
                + "6112000000000000" // r2 = *(u32 *)(r1 + 0)
                + "540200" + "00ffff0000" // w2 &= 0xffff
                + "6113000000000000" // r3 = *(u32 *)(r1 + 0)
                + "740300" + "0010000000" // w3 >>= 16
                + "6114040000000000" // r4 = *(u32 *)(r1 + 4)
                + "6115080000000000" // r5 = *(u32 *)(r1 + 8)
                + "5502070002000000" // if r2 != 2 goto +7 (char device)
                + "bc31000000000000" // w1 = w3
                + "5401000002000000" // w1 &= READ
                + "5d31040000000000" // if r1 != r3 goto +4 (asks for more than read)
                + "5504030001000000" // if r4 != 1 goto +3
                + "5505020003000000" // if r5 != 3 goto +2
                + "b400000001000000" // w0 = 1
                + "9500000000000000" // exit
                + "b400000000000000" // w0 = 0
                + "9500000000000000", // exit
                HexFormat.of().formatHex(p.bytes()));
    }

    @Test
    void holePunchInAWildcardIsRefused() {
        DeviceRuleException e = assertThrows(DeviceRuleException.class, () -> DeviceFilterProgram.of(List.of(
                rule('a', -1, -1, "rwm", false), rule('c', -1, -1, "rwm", true), rule('c', 1, 3, "r", false))));
        assertEquals("device rule \"c 1:3 r deny\" cannot punch a hole in the wildcard rule \"c *:* rwm allow\" "
                + "before it (the v1 devices controller would ignore it): list the exceptions without the wildcard "
                + "instead", e.getMessage());
    }
}
