package io.jshim.engine.state;

import io.jshim.engine.EngineException;
import io.jshim.engine.json.RecordJson;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The state root ({@code /run/jrunc} by default): {@code <root>} (0700) holds one
 * {@code <id>} dir (0711) per container with {@code state.json} (0600), the
 * {@code exec.fifo} until start, and a lock file that serialises concurrent calls
 * on one id across processes.
 */
public final class StateStore {
    public static final String STATE_FILE = "state.json";
    public static final String EXEC_FIFO = "exec.fifo";
    private static final String LOCK_FILE = ".lock";

    private final Path root;

    public StateStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /**
     * Whether {@code id} can name a dir directly under the root: not empty, no "/",
     * not "." or "..". Anything else cannot be a container (and must never reach a
     * path), so lookups report it as not found, as runc does.
     */
    public static boolean namesContainerDir(String id) {
        return id != null && !id.isEmpty() && !id.contains("/") && !id.equals(".") && !id.equals("..");
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    public Path fifo(String id) {
        return dir(id).resolve(EXEC_FIFO);
    }

    /** runc 1.1 creates a missing root (0700) on any command. */
    public void ensureRoot() throws EngineException {
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root);
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "create state root " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /** Claims {@code <root>/<id>}; mkdir is atomic, so two creates of one id cannot both win. */
    public void claim(String id) throws EngineException {
        ensureRoot();
        Path d = dir(id);
        try {
            Files.createDirectory(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (FileAlreadyExistsException e) {
            throw new EngineException(EngineException.Kind.ALREADY_EXISTS, "container with given ID already exists");
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "create state dir " + d + ": " + e.getMessage(), e);
        }
    }

    public boolean exists(String id) {
        return Files.isRegularFile(dir(id).resolve(STATE_FILE));
    }

    public ContainerState load(String id) throws EngineException {
        Path f = dir(id).resolve(STATE_FILE);
        try {
            return RecordJson.read(Files.readAllBytes(f), ContainerState.class);
        } catch (NoSuchFileException e) {
            throw EngineException.notFound();
        } catch (IOException | RecordJson.BindException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "load container " + id + ": read " + f + ": "
                    + e.getMessage(), e);
        }
    }

    /** Writes state.json through a temp file and rename, so a reader never sees half of it. */
    public void save(ContainerState s) throws EngineException {
        Path d = dir(s.id());
        Path tmp = d.resolve(STATE_FILE + ".tmp");
        try {
            Files.write(tmp, RecordJson.write(s));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            try {
                Files.move(tmp, d.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, d.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "save state of " + s.id() + " to " + d + ": "
                    + e.getMessage(), e);
        }
    }

    /** Container ids in directory-name order, as runc lists them. */
    public List<String> ids() throws EngineException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            List<String> out = new ArrayList<>();
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder())
                    .forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "list " + root + ": " + e.getMessage(), e);
        }
    }

    /** Removes {@code <root>/<id>} and everything in it; a missing dir is fine. */
    public void remove(String id) throws EngineException {
        Path d = dir(id);
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(d)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "remove state dir " + d + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes the per-container lock (an fcntl record lock through FileChannel.lock,
     * which serialises processes just as flock(2) would). Throws NOT_FOUND when the
     * container dir does not exist.
     */
    public Lock lock(String id) throws EngineException {
        if (!namesContainerDir(id)) {
            throw EngineException.notFound();
        }
        Path d = dir(id);
        if (!Files.isDirectory(d)) {
            throw EngineException.notFound();
        }
        try {
            FileChannel ch = FileChannel.open(d.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            return new Lock(ch, ch.lock());
        } catch (NoSuchFileException e) {
            throw EngineException.notFound();
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "lock " + d + ": " + e.getMessage(), e);
        }
    }

    /** A held per-container lock. */
    public static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        Lock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
                channel.close();
            } catch (IOException e) {
                // closing the channel drops the lock anyway
            }
        }
    }
}
