package io.jshim.engine.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jshim.engine.json.Json;
import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanRecord;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {
    private static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s.replace('\'', '"'));
    }

    private static SeccompProfile parse(String s) throws Exception {
        return SeccompProfile.parse(json(s)).orElseThrow();
    }

    private static String error(String s) throws Exception {
        return assertThrows(SpecException.class, () -> SeccompProfile.parse(json(s))).getMessage();
    }

    @Test
    void aProfileBecomesPlanRecords() throws Exception {
        SeccompProfile p = parse("{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
                + "'flags':['SECCOMP_FILTER_FLAG_LOG'],"
                + "'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
                + "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'}]},"
                + "{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':2114060288,'valueTwo':0,"
                + "'op':'SCMP_CMP_MASKED_EQ'}]},"
                + "{'names':['clone3'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}");
        assertEquals(SyncProtocol.SCMP_ERRNO, p.defaultAction());
        assertEquals(1, p.defaultErrno()); // EPERM
        assertEquals(List.of("x86_64", "x86"), p.architectures());
        assertEquals(SyncProtocol.SECCOMP_FLAG_LOG, p.flags());
        assertEquals(4, p.rules().size());
        assertEquals(List.of(new InitPlan.SeccompArg(0, 7, 2114060288L, 0)), p.rules().get(2).args());
        assertEquals(38, p.rules().get(3).errno());
        assertFalse(p.usesNotify());

        InitPlan plan = new InitPlan();
        p.addTo(plan);
        List<PlanRecord> r = plan.records();
        assertEquals(SyncProtocol.PLAN_SECCOMP, r.get(1).tag());
        assertEquals(SyncProtocol.PLAN_SECCOMP_RULE, r.get(2).tag());
        // u32 index 0, u32 action ALLOW, u32 errno 0, u32 0 args, strv ["read","write"]
        byte[] want = {0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
            'r', 'e', 'a', 'd', 0, 'w', 'r', 'i', 't', 'e', 0};
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(r.get(2).payload()));
    }

    @Test
    void noDefaultActionAndNoSyscallsMeansNoFilterAsInRunc() throws Exception {
        assertTrue(SeccompProfile.parse(json("{}")).isEmpty());
        assertTrue(SeccompProfile.parse(null).isEmpty());
        assertTrue(SeccompProfile.parse(json("null")).isEmpty());
        assertEquals("linux.seccomp.defaultAction is required when syscalls are given",
                error("{'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'}]}"));
    }

    @Test
    void rulesThatRepeatTheDefaultActionAreDroppedAsInRunc() throws Exception {
        SeccompProfile p = parse("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
                + "{'names':['kill'],'action':'SCMP_ACT_ERRNO'},{'names':['kill'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}");
        assertEquals(1, p.rules().size());
        assertEquals(1, p.rules().getFirst().specIndex());
    }

    @Test
    void badActionsOperatorsArchitecturesAndFlagsAreErrorsNamingTheField() throws Exception {
        assertTrue(error("{'defaultAction':'SCMP_ACT_BOGUS'}").startsWith(
                "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BOGUS\" (one of SCMP_ACT_KILL, "));
        assertTrue(error("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'ALLOW'}]}")
                .startsWith("linux.seccomp.syscalls[0].action: unknown action \"ALLOW\""));
        assertEquals("linux.seccomp.syscalls[0].action is required",
                error("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read']}]}"));
        assertTrue(error("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO',"
                + "'args':[{'index':0,'value':1,'op':'EQ'}]}]}")
                .startsWith("linux.seccomp.syscalls[0].args[0].op: unknown operator \"EQ\""));
        assertEquals("linux.seccomp.syscalls[0].args[0].index: expected a syscall argument number 0..5, got 6",
                error("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO',"
                        + "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}"));
        assertEquals("linux.seccomp.syscalls[0].args[0].value: expected an unsigned 64-bit integer, got -1",
                error("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO',"
                        + "'args':[{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]}]}"));
        assertTrue(error("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_Z80']}")
                .startsWith("linux.seccomp.architectures: unknown architecture \"SCMP_ARCH_Z80\""));
        assertTrue(error("{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_BOGUS']}")
                .startsWith("linux.seccomp.flags: unknown flag \"SECCOMP_FILTER_FLAG_BOGUS\""));
    }

    @Test
    void syscallNamesMustBeStringsSpelledLikeSyscalls() throws Exception {
        assertEquals("linux.seccomp.syscalls[1].names[1]: 42 is not a string: syscall names are strings such as "
                + "\"openat\"", error("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
                        + "'SCMP_ACT_ALLOW'},{'names':['write',42],'action':'SCMP_ACT_ALLOW'}]}"));
        assertEquals("linux.seccomp.syscalls[0].names[0]: \"open at\" is not a syscall name (lower-case letters, "
                + "digits and underscores)", error("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':"
                        + "['open at'],'action':'SCMP_ACT_ALLOW'}]}"));
        assertEquals("linux.seccomp.syscalls[0].names[0]: an empty string is not a syscall name",
                error("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[''],'action':'SCMP_ACT_ALLOW'}]}"));
        assertEquals("linux.seccomp.syscalls[0].names must name at least one syscall",
                error("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]}"));
        // well-formed but unknown to this kernel: kept, jshim-init skips it as runc does
        assertEquals(List.of("a_syscall_of_2031"), parse("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':"
                + "['a_syscall_of_2031'],'action':'SCMP_ACT_ALLOW'}]}").rules().getFirst().names());
    }

    @Test
    void errnoRetOnlyWhereTheActionTakesOne() throws Exception {
        assertEquals("linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno (only SCMP_ACT_ERRNO and "
                + "SCMP_ACT_TRACE do)", error("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                        + "'action':'SCMP_ACT_ALLOW','errnoRet':1}]}"));
        assertEquals("linux.seccomp.defaultErrnoRet: SCMP_ACT_KILL takes no errno (only SCMP_ACT_ERRNO and "
                + "SCMP_ACT_TRACE do)", error("{'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1}"));
        assertEquals(38, parse("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38}").defaultErrno());
        assertEquals(1, parse("{'defaultAction':'SCMP_ACT_TRACE'}").defaultErrno());
    }

    @Test
    void notifyNeedsAListenerAndCannotCoverWhatJshimInitNeeds() throws Exception {
        assertEquals("linux.seccomp.listenerPath is required when a rule uses SCMP_ACT_NOTIFY",
                error("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}"));
        assertTrue(error("{'defaultAction':'SCMP_ACT_NOTIFY'}")
                .startsWith("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"));
        assertTrue(error("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x','syscalls':[{'names':['mkdir','write'],"
                + "'action':'SCMP_ACT_NOTIFY'}]}")
                .startsWith("linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for \"write\""));
        SeccompProfile p = parse("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/run/agent.sock',"
                + "'listenerMetadata':'m','syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}");
        assertTrue(p.usesNotify());
        assertEquals("/run/agent.sock", p.listenerPath());
        assertEquals("m", p.listenerMetadata());
    }

    @Test
    void unsigned64BitValuesKeepTheirBits() throws Exception {
        SeccompProfile p = parse("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['ioctl'],'action':"
                + "'SCMP_ACT_ERRNO','args':[{'index':1,'value':18446744073709551615,'op':'SCMP_CMP_EQ'}]}]}");
        assertEquals(-1L, p.rules().getFirst().args().getFirst().value());
    }
}
