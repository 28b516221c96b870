package io.jshim.ttrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective uid of this JVM, read without native code: /proc/self belongs to the process's euid. */
public final class CurrentProcess {

    private static final int EUID = readEuid();

    private CurrentProcess() {
    }

    public static int euid() {
        return EUID;
    }

    public static boolean isRoot() {
        return EUID == 0;
    }

    private static int readEuid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of /proc/self", e);
        }
    }
}
