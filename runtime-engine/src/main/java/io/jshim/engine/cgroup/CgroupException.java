package io.jshim.engine.cgroup;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A cgroup operation failed. File errors are worded like runc's (Go's os.PathError plus
 * the value written), e.g.
 * {@code write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: "1048576": device or resource busy},
 * and carry the {@link Errno} so callers can react to EBUSY, EINVAL and so on.
 */
public class CgroupException extends Exception {
    private final Errno errno;

    public CgroupException(String message) {
        this(message, Errno.NONE, null);
    }

    public CgroupException(String message, Throwable cause) {
        this(message, Errno.NONE, cause);
    }

    public CgroupException(String message, Errno errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The errno behind a failed file operation; {@link Errno#NONE} for other failures. */
    public Errno errno() {
        return errno;
    }

    /** {@code write FILE: "VALUE": REASON}. */
    static CgroupException write(Path file, String value, Errno errno, Throwable cause) {
        return new CgroupException("write " + file + ": \"" + value.strip() + "\": " + errno.text(), errno, cause);
    }

    static CgroupException write(Path file, String value, IOException e) {
        Errno errno = Errno.of(e);
        return new CgroupException("write " + file + ": \"" + value.strip() + "\": " + Errno.reason(e, errno),
                errno, e);
    }

    /** {@code OP PATH: REASON}, for read, mkdir, rmdir and readdir. */
    static CgroupException op(String op, Path path, IOException e) {
        Errno errno = Errno.of(e);
        return new CgroupException(op + " " + path + ": " + Errno.reason(e, errno), errno, e);
    }

    static CgroupException op(String op, Path path, Errno errno) {
        return new CgroupException(op + " " + path + ": " + errno.text(), errno, null);
    }

    /**
     * The errno values cgroup code reacts to, recovered from Java's exceptions (which carry
     * strerror(3) text, not the number). Texts are Go-style: strerror with a lower-case
     * first letter.
     */
    public enum Errno {
        NONE(""),
        EPERM("operation not permitted"),
        ENOENT("no such file or directory"),
        ESRCH("no such process"),
        EINTR("interrupted system call"),
        EAGAIN("resource temporarily unavailable"),
        EACCES("permission denied"),
        EBUSY("device or resource busy"),
        EEXIST("file exists"),
        ENODEV("no such device"),
        ENOTDIR("not a directory"),
        EISDIR("is a directory"),
        EINVAL("invalid argument"),
        ENOSPC("no space left on device"),
        EROFS("read-only file system"),
        ERANGE("numerical result out of range"),
        ENOTEMPTY("directory not empty"),
        EOPNOTSUPP("operation not supported"),
        OTHER("");

        private final String text;

        Errno(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        static Errno of(IOException e) {
            if (e instanceof NoSuchFileException) {
                return ENOENT;
            }
            if (e instanceof AccessDeniedException) {
                return EACCES;
            }
            if (e instanceof DirectoryNotEmptyException) {
                return ENOTEMPTY;
            }
            if (e instanceof FileAlreadyExistsException) {
                return EEXIST;
            }
            if (e instanceof NotDirectoryException) {
                return ENOTDIR;
            }
            String reason = e instanceof FileSystemException fse && fse.getReason() != null
                    ? fse.getReason() : e.getMessage();
            if (reason == null) {
                return OTHER;
            }
            String r = reason.toLowerCase(Locale.ROOT);
            for (Errno x : values()) {
                if (!x.text.isEmpty() && r.contains(x.text)) {
                    return x;
                }
            }
            return OTHER;
        }

        /** The reason text for a message: the errno's text, or the exception's own words. */
        static String reason(IOException e, Errno errno) {
            if (errno != OTHER) {
                return errno.text;
            }
            String reason = e instanceof FileSystemException fse && fse.getReason() != null
                    ? fse.getReason() : e.getMessage();
            if (reason == null || reason.isEmpty()) {
                return e.getClass().getSimpleName();
            }
            return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
        }
    }
}
