package io.jshim.engine.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** /proc/self/mountinfo, parsed (proc(5), "/proc/pid/mountinfo"). */
public record MountInfo(int id, int parentId, String root, String mountPoint, String fsType, String source,
        String superOptions) {

    public static List<MountInfo> read(Path file) throws IOException {
        List<MountInfo> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            MountInfo m = parse(line);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    public static List<MountInfo> self() throws IOException {
        return read(Path.of("/proc/self/mountinfo"));
    }

    static MountInfo parse(String line) {
        String[] f = line.split(" ");
        if (f.length < 10) {
            return null;
        }
        int sep = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                sep = i;
                break;
            }
        }
        if (sep < 0 || sep + 2 >= f.length) {
            return null;
        }
        return new MountInfo(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[3]), unescape(f[4]),
                f[sep + 1], unescape(f[sep + 2]), sep + 3 < f.length ? f[sep + 3] : "");
    }

    /** mountinfo escapes space, tab, newline and backslash as \\ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape; keep the backslash
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
