package io.jshim.engine.devices;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The BPF_PROG_TYPE_CGROUP_DEVICE program that enforces device rules on cgroup v2, which has
 * no devices.allow (Documentation/admin-guide/cgroup-v2.rst, "Device controller"). The same
 * instruction sequence as runc's devicefilter (itself from crun's ebpf.c), built from the
 * {@link DeviceRuleSet} so that v2 allows exactly what v1 would:
 *
 * <pre>
 *   r2 = ctx->access_type &amp; 0xffff     device type (BPF_DEVCG_DEV_BLOCK 1, _CHAR 2)
 *   r3 = ctx->access_type &gt;&gt; 16        access (BPF_DEVCG_ACC_MKNOD 1, _READ 2, _WRITE 4)
 *   r4 = ctx->major; r5 = ctx->minor
 *   per exception: if (type, access ⊆ rule, major, minor match) return allow-or-deny
 *   return the default
 * </pre>
 *
 * The kernel calls the program on open(2) and mknod(2) of a device node by a process in the
 * cgroup; 0 refuses with EPERM (struct bpf_cgroup_dev_ctx, include/uapi/linux/bpf.h).
 */
public final class DeviceFilterProgram {
    /** The kernel wants a license string; this generator follows runc's Apache-2.0 code. */
    public static final String LICENSE = "Apache-2.0";

    // include/uapi/linux/bpf_common.h and bpf.h opcodes
    static final int LDX_MEM_W = 0x61; // BPF_LDX | BPF_MEM | BPF_W
    static final int ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K   (32-bit)
    static final int ALU_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K
    static final int ALU_MOV_K = 0xb4; // BPF_ALU | BPF_MOV | BPF_K
    static final int ALU_MOV_X = 0xbc; // BPF_ALU | BPF_MOV | BPF_X
    static final int JMP_JNE_K = 0x55; // BPF_JMP | BPF_JNE | BPF_K
    static final int JMP_JNE_X = 0x5d; // BPF_JMP | BPF_JNE | BPF_X
    static final int JMP_EXIT = 0x95;  // BPF_JMP | BPF_EXIT

    static final int DEV_BLOCK = 1;
    static final int DEV_CHAR = 2;
    static final int ACC_MKNOD = 1;
    static final int ACC_READ = 2;
    static final int ACC_WRITE = 4;

    /** One 8-byte struct bpf_insn. */
    record Insn(int code, int dst, int src, int off, int imm) {
        @Override
        public String toString() {
            return String.format("%02x dst=r%d src=r%d off=%d imm=%d", code, dst, src, off, imm);
        }
    }

    private final List<Insn> insns;
    private final DeviceRuleSet rules;

    private DeviceFilterProgram(List<Insn> insns, DeviceRuleSet rules) {
        this.insns = List.copyOf(insns);
        this.rules = rules;
    }

    /** The program for {@code rules}, applied in order to deny-all. */
    public static DeviceFilterProgram of(List<DeviceRule> rules) throws DeviceRuleException {
        DeviceRuleSet set = DeviceRuleSet.of(rules);
        List<Insn> out = new ArrayList<>();
        // r2 = type, r3 = access, r4 = major, r5 = minor (ctx in r1)
        out.add(new Insn(LDX_MEM_W, 2, 1, 0, 0));
        out.add(new Insn(ALU_AND_K, 2, 0, 0, 0xFFFF));
        out.add(new Insn(LDX_MEM_W, 3, 1, 0, 0));
        out.add(new Insn(ALU_RSH_K, 3, 0, 0, 16));
        out.add(new Insn(LDX_MEM_W, 4, 1, 4, 0));
        out.add(new Insn(LDX_MEM_W, 5, 1, 8, 0));
        for (DeviceRule r : set.rules()) {
            if (r.type() == 'a') {
                continue; // only ever first, and only to state the default, which the tail returns
            }
            block(out, r);
        }
        out.add(new Insn(ALU_MOV_K, 0, 0, 0, set.defaultAllow() ? 1 : 0));
        out.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        return new DeviceFilterProgram(out, set);
    }

    /** One rule: a block that falls through to the next block when the device does not match. */
    private static void block(List<Insn> out, DeviceRule r) {
        int access = 0;
        for (char c : r.access().toCharArray()) {
            access |= c == 'r' ? ACC_READ : c == 'w' ? ACC_WRITE : ACC_MKNOD;
        }
        boolean allAccess = access == (ACC_READ | ACC_WRITE | ACC_MKNOD);
        List<Insn> b = new ArrayList<>();
        List<Integer> jumps = new ArrayList<>(); // indexes in b whose offset goes to the next block
        jumps.add(b.size());
        b.add(new Insn(JMP_JNE_K, 2, 0, 0, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR));
        if (!allAccess) {
            // if ((r3 & access) != r3) next: some asked-for access is not covered
            b.add(new Insn(ALU_MOV_X, 1, 3, 0, 0));
            b.add(new Insn(ALU_AND_K, 1, 0, 0, access));
            jumps.add(b.size());
            b.add(new Insn(JMP_JNE_X, 1, 3, 0, 0));
        }
        if (r.major() != DeviceRule.WILDCARD) {
            jumps.add(b.size());
            b.add(new Insn(JMP_JNE_K, 4, 0, 0, (int) r.major()));
        }
        if (r.minor() != DeviceRule.WILDCARD) {
            jumps.add(b.size());
            b.add(new Insn(JMP_JNE_K, 5, 0, 0, (int) r.minor()));
        }
        b.add(new Insn(ALU_MOV_K, 0, 0, 0, r.allow() ? 1 : 0));
        b.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        int end = b.size(); // the next block starts here
        for (int j : jumps) {
            Insn i = b.get(j);
            b.set(j, new Insn(i.code(), i.dst(), i.src(), end - (j + 1), i.imm()));
        }
        out.addAll(b);
    }

    /** The instructions, as the kernel takes them: 8 bytes each, little-endian. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(insns.size() * 8);
        for (Insn i : insns) {
            out.write(i.code());
            out.write((i.src() << 4) | i.dst());
            out.write(i.off() & 0xFF);
            out.write((i.off() >> 8) & 0xFF);
            for (int k = 0; k < 4; k++) {
                out.write((i.imm() >> (8 * k)) & 0xFF);
            }
        }
        return out.toByteArray();
    }

    public int instructionCount() {
        return insns.size();
    }

    List<Insn> instructions() {
        return insns;
    }

    /** The rules the program enforces (for messages and logs). */
    public DeviceRuleSet rules() {
        return rules;
    }

    /** One instruction per line, for debugging. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < insns.size(); i++) {
            sb.append(i).append(": ").append(insns.get(i)).append('\n');
        }
        return sb.toString();
    }
}
