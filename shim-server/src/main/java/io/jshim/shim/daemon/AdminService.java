package io.jshim.shim.daemon;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Empty;
import com.google.protobuf.WireFormat;
import io.jshim.shim.task.TaskCore;
import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.ServiceDefinition;
import io.jshim.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The daemon's private ttrpc service for its C front end ({@code native-shim/src/shim.h} names the
 * same service and methods; the two messages are hand-encoded there and hand-decoded here):
 * <ul>
 *   <li>{@code Reserve(ReserveRequest{string id = 1}) → Empty}: {@code start} found or launched this
 *       daemon for task {@code id}; the daemon must not go idle before that task's Create arrives.
 *       {@code start} calls it holding the group lock that the daemon's idle exit takes too, so a
 *       daemon never exits between {@code start} choosing it and containerd's Create.</li>
 *   <li>{@code Cleanup(CleanupRequest{string id = 1; string bundle = 2}) →
 *       containerd.task.v2.DeleteResponse}: the {@code delete} action ({@link TaskCore#cleanup}).</li>
 * </ul>
 */
public final class AdminService {

    public static final String NAME = "jshim.shim.v1.Admin";

    private AdminService() {
    }

    public static ServiceDefinition definition(TaskCore core) {
        return ServiceDefinition.builder(NAME)
                .raw("Reserve", (call, payload) -> {
                    String[] f = strings(payload, 1);
                    if (f[0].isEmpty()) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "reserve: empty id");
                    }
                    core.reserve(f[0]);
                    return Empty.getDefaultInstance().toByteArray();
                })
                .raw("Cleanup", (call, payload) -> {
                    String[] f = strings(payload, 2);
                    if (f[0].isEmpty() || !f[1].startsWith("/")) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "cleanup: need an id and an absolute bundle");
                    }
                    return core.cleanup(f[0], Path.of(f[1])).toByteArray();
                })
                .build();
    }

    /** The string fields 1..n of a message; unknown fields are skipped. */
    static String[] strings(byte[] payload, int n) throws IOException {
        String[] out = new String[n];
        java.util.Arrays.fill(out, "");
        CodedInputStream in = CodedInputStream.newInstance(payload);
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return out;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            if (field >= 1 && field <= n && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                out[field - 1] = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
    }
}
