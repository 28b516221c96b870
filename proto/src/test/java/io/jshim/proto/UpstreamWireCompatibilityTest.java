package io.jshim.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves that our .proto files are wire-identical to containerd 1.6.20's own: compiles the upstream
 * files that Debian ships (golang-github-containerd-containerd-dev, golang-github-containerd-cgroups-dev,
 * golang-github-gogo-protobuf-dev) with the system protoc, and compares every message, field number,
 * field type, label, enum value and service method with the descriptors of our generated classes.
 *
 * <p>Our files may only add fields that later containerd releases added; those are listed in
 * {@link #LATER_ADDITIONS} so that an accidental extra field fails the test.
 */
class UpstreamWireCompatibilityTest {

    private static final Path GOCODE = Path.of("/usr/share/gocode/src");
    private static final Path PROTOC = Path.of("/usr/bin/protoc");

    /** Fields that containerd or cgroups added after 1.6.20, with the release that added them. */
    private static final Set<String> LATER_ADDITIONS = Set.of(
            "containerd.v1.types.Process.exit_reason", // containerd main
            "containerd.events.TaskExit.exit_reason", // containerd main
            "containerd.runc.v1.Options.task_api_address", // 2.0
            "containerd.runc.v1.Options.task_api_version", // 2.0
            "runtimeoptions.v1.Options.config_body", // 1.7
            "io.containerd.cgroups.v2.MemoryStat.max_usage", // cgroups v3
            "io.containerd.cgroups.v2.MemoryStat.swap_max_usage"); // cgroups v3

    private static final List<FileDescriptor> OURS = List.of(
            io.jshim.proto.containerd.types.MountProto.getDescriptor(),
            io.jshim.proto.containerd.types.MetricsProto.getDescriptor(),
            io.jshim.proto.containerd.types.PlatformProto.getDescriptor(),
            io.jshim.proto.containerd.types.task.TaskTypesProto.getDescriptor(),
            io.jshim.proto.containerd.events.TaskEventsProto.getDescriptor(),
            io.jshim.proto.containerd.services.events.ttrpc.v1.TtrpcEventsProto.getDescriptor(),
            io.jshim.proto.containerd.task.v2.ShimProto.getDescriptor(),
            io.jshim.proto.containerd.task.v3.ShimProto.getDescriptor(),
            io.jshim.proto.containerd.runc.v1.RuncOptionsProto.getDescriptor(),
            io.jshim.proto.runtimeoptions.v1.RuntimeOptionsProto.getDescriptor(),
            io.jshim.proto.cgroups.v1.CgroupV1MetricsProto.getDescriptor(),
            io.jshim.proto.cgroups.v2.CgroupV2MetricsProto.getDescriptor());

    private static final Map<String, Descriptor> OUR_MESSAGES = new HashMap<>();
    private static final Map<String, EnumDescriptor> OUR_ENUMS = new HashMap<>();
    private static final Map<String, ServiceDescriptor> OUR_SERVICES = new HashMap<>();

    @BeforeAll
    static void indexOurDescriptors() {
        for (FileDescriptor file : OURS) {
            file.getMessageTypes().forEach(UpstreamWireCompatibilityTest::indexMessage);
            file.getEnumTypes().forEach(e -> OUR_ENUMS.put(e.getFullName(), e));
            file.getServices().forEach(s -> OUR_SERVICES.put(s.getFullName(), s));
        }
    }

    private static void indexMessage(Descriptor message) {
        OUR_MESSAGES.put(message.getFullName(), message);
        message.getNestedTypes().forEach(UpstreamWireCompatibilityTest::indexMessage);
        message.getEnumTypes().forEach(e -> OUR_ENUMS.put(e.getFullName(), e));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
        "github.com/containerd/containerd/api/types/mount.proto, containerd.types",
        "github.com/containerd/containerd/api/types/metrics.proto, containerd.types",
        "github.com/containerd/containerd/api/types/platform.proto, containerd.types",
        "github.com/containerd/containerd/api/types/task/task.proto, containerd.v1.types",
        "github.com/containerd/containerd/api/events/task.proto, containerd.events",
        "github.com/containerd/containerd/api/services/ttrpc/events/v1/events.proto, containerd.services.events.ttrpc.v1",
        "github.com/containerd/containerd/runtime/v2/task/shim.proto, containerd.task.v2",
        "github.com/containerd/containerd/runtime/v2/task/shim.proto, containerd.task.v3",
        "github.com/containerd/containerd/runtime/v2/runc/options/oci.proto, containerd.runc.v1",
        "github.com/containerd/containerd/pkg/runtimeoptions/v1/api.proto, runtimeoptions.v1",
        "github.com/containerd/cgroups/stats/v1/metrics.proto, io.containerd.cgroups.v1",
        "github.com/containerd/cgroups/v2/stats/metrics.proto, io.containerd.cgroups.v2",
    })
    void upstreamFile_isWireIdentical(String upstreamFile, String ourPackage) throws Exception {
        requireInCi(Files.isExecutable(PROTOC), "protoc (Debian protobuf-compiler) not installed");
        requireInCi(Files.isRegularFile(GOCODE.resolve(upstreamFile)),
                "containerd 1.6 sources (golang-github-containerd-containerd-dev) not installed");

        FileDescriptorProto upstream = compileUpstream(upstreamFile);
        // task v3 is v2 under another package name: compare it with v2's upstream file renamed
        UnaryOperator<String> rename = name -> name.replace("." + upstream.getPackage() + ".", "." + ourPackage + ".")
                .replaceFirst("^" + java.util.regex.Pattern.quote(upstream.getPackage()) + "\\.", ourPackage + ".");

        List<String> problems = new ArrayList<>();
        for (DescriptorProto message : upstream.getMessageTypeList()) {
            compareMessage(rename.apply(upstream.getPackage() + "." + message.getName()), message, rename, problems);
        }
        for (EnumDescriptorProto e : upstream.getEnumTypeList()) {
            compareEnum(rename.apply(upstream.getPackage() + "." + e.getName()), e, problems);
        }
        for (ServiceDescriptorProto service : upstream.getServiceList()) {
            compareService(rename.apply(upstream.getPackage() + "." + service.getName()), service, rename, problems);
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    /** Skips on a developer machine that lacks the packages; in CI (CI=true) their absence is a failure. */
    private static void requireInCi(boolean condition, String message) {
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(condition, message);
        } else {
            assumeTrue(condition, message);
        }
    }

    private static void compareMessage(String fullName, DescriptorProto upstream, UnaryOperator<String> rename,
            List<String> problems) {
        Descriptor ours = OUR_MESSAGES.get(fullName);
        if (ours == null) {
            problems.add("missing message " + fullName);
            return;
        }
        Set<Integer> upstreamNumbers = new TreeSet<>();
        for (FieldDescriptorProto field : upstream.getFieldList()) {
            upstreamNumbers.add(field.getNumber());
            FieldDescriptor mine = ours.findFieldByNumber(field.getNumber());
            String where = fullName + "." + field.getName() + " = " + field.getNumber();
            if (mine == null) {
                problems.add("missing field " + where);
                continue;
            }
            if (!mine.getName().equals(field.getName())) {
                problems.add(where + ": our name is " + mine.getName());
            }
            if (mine.toProto().getType() != field.getType()) {
                problems.add(where + ": type " + field.getType() + " but ours is " + mine.toProto().getType());
            }
            if (mine.isRepeated() != (field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED)) {
                problems.add(where + ": repeated differs");
            }
            if (field.hasTypeName() && !("." + typeNameOf(mine)).equals(rename.apply(field.getTypeName()))) {
                problems.add(where + ": type " + field.getTypeName() + " but ours is ." + typeNameOf(mine));
            }
        }
        for (FieldDescriptor mine : ours.getFields()) {
            if (!upstreamNumbers.contains(mine.getNumber()) && !LATER_ADDITIONS.contains(mine.getFullName())) {
                problems.add("extra field not in upstream nor in LATER_ADDITIONS: " + mine.getFullName());
            }
        }
        for (DescriptorProto nested : upstream.getNestedTypeList()) {
            compareMessage(fullName + "." + nested.getName(), nested, rename, problems);
        }
        for (EnumDescriptorProto e : upstream.getEnumTypeList()) {
            compareEnum(fullName + "." + e.getName(), e, problems);
        }
    }

    private static String typeNameOf(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case MESSAGE -> field.getMessageType().getFullName();
            case ENUM -> field.getEnumType().getFullName();
            default -> "";
        };
    }

    private static void compareEnum(String fullName, EnumDescriptorProto upstream, List<String> problems) {
        EnumDescriptor ours = OUR_ENUMS.get(fullName);
        if (ours == null) {
            problems.add("missing enum " + fullName);
            return;
        }
        for (EnumValueDescriptorProto value : upstream.getValueList()) {
            EnumValueDescriptor mine = ours.findValueByName(value.getName());
            if (mine == null || mine.getNumber() != value.getNumber()) {
                problems.add("enum " + fullName + "." + value.getName() + " = " + value.getNumber() + " differs");
            }
        }
    }

    private static void compareService(String fullName, ServiceDescriptorProto upstream, UnaryOperator<String> rename,
            List<String> problems) {
        ServiceDescriptor ours = OUR_SERVICES.get(fullName);
        if (ours == null) {
            problems.add("missing service " + fullName);
            return;
        }
        assertEquals(upstream.getMethodCount(), ours.getMethods().size(), fullName + " method count");
        for (MethodDescriptorProto method : upstream.getMethodList()) {
            MethodDescriptor mine = ours.findMethodByName(method.getName());
            assertNotNull(mine, fullName + "/" + method.getName());
            if (!rename.apply(method.getInputType()).equals("." + mine.getInputType().getFullName())
                    || !rename.apply(method.getOutputType()).equals("." + mine.getOutputType().getFullName())) {
                problems.add("method " + fullName + "/" + method.getName() + " has other types");
            }
        }
    }

    private static FileDescriptorProto compileUpstream(String file) throws IOException, InterruptedException {
        Path out = Files.createTempFile("upstream", ".pb");
        try {
            Process protoc = new ProcessBuilder(PROTOC.toString(),
                    "-I", GOCODE.toString(),
                    "-I", GOCODE.resolve("github.com/gogo/protobuf").toString(),
                    "-I", GOCODE.resolve("github.com/gogo/protobuf/protobuf").toString(),
                    "--descriptor_set_out=" + out,
                    file)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(protoc.getInputStream().readAllBytes());
            assertTrue(protoc.waitFor(60, TimeUnit.SECONDS), "protoc timed out");
            assertEquals(0, protoc.exitValue(), "protoc " + file + ": " + output);
            FileDescriptorSet set = FileDescriptorSet.parseFrom(Files.readAllBytes(out));
            return set.getFile(set.getFileCount() - 1);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
