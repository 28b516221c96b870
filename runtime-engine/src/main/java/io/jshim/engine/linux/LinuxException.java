package io.jshim.engine.linux;

import java.io.IOException;

/**
 * A failed system call, worded the way Go's os.PathError and syscall.Errno read
 * ("open /x: no such file or directory") so that messages match runc's.
 */
public final class LinuxException extends IOException {
    private final int errno;

    public LinuxException(String op, String subject, int errno) {
        super(op + (subject == null || subject.isEmpty() ? "" : " " + subject) + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public LinuxException(String message, int errno, boolean raw) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
