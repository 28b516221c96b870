package io.jshim.it.support;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An OCI bundle whose rootfs is busybox: {@code rootfs/bin/busybox} (a copy of the host's
 * static busybox) plus one symlink per applet from {@code busybox --list}, and a
 * {@code config.json} made by {@code runc spec} and then edited with Jackson (terminal off, the
 * given args, and optional hostname, memory limit, mounts, read-only root, ...).
 *
 * <pre>{@code
 * BusyboxBundle b = BusyboxBundle.builder(dir, "hello").args("sh", "-c", "echo hi").hostname("box").build();
 * }</pre>
 */
public final class BusyboxBundle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile String specTemplate;
    private static volatile List<String> applets;

    private final Path dir;

    private BusyboxBundle(Path dir) {
        this.dir = dir;
    }

    /** Starts a bundle to be made at {@code parent/name}. */
    public static Builder builder(Path parent, String name) {
        return new Builder(parent.resolve(name));
    }

    /** The bundle directory. */
    public Path dir() {
        return dir;
    }

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    public Path configFile() {
        return dir.resolve("config.json");
    }

    /** The current config.json, parsed. */
    public ObjectNode config() {
        try {
            return (ObjectNode) JSON.readTree(configFile().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites config.json with {@code config}. */
    public void writeConfig(JsonNode config) {
        try {
            Files.writeString(configFile(), pretty(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces config.json with raw text (e.g. invalid JSON). */
    public void writeRawConfig(String text) {
        try {
            Files.writeString(configFile(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies an edit to config.json. */
    public BusyboxBundle edit(Consumer<ObjectNode> edit) {
        ObjectNode c = config();
        edit.accept(c);
        writeConfig(c);
        return this;
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    /** The JSON text of a fresh {@code runc spec} (made once per JVM). */
    public static String specTemplate() {
        String t = specTemplate;
        if (t == null) {
            synchronized (BusyboxBundle.class) {
                t = specTemplate;
                if (t == null) {
                    specTemplate = t = makeSpecTemplate();
                }
            }
        }
        return t;
    }

    private static String makeSpecTemplate() {
        try {
            Path tmp = Files.createTempDirectory("jshim-it-spec");
            try {
                Process p = new ProcessBuilder(ItEnv.runcBinary().toString(), "spec", "--bundle", tmp.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("out.txt").toFile())
                        .start();
                int rc = p.waitFor();
                Path cfg = tmp.resolve("config.json");
                if (rc != 0 || !Files.exists(cfg)) {
                    throw new IllegalStateException("runc spec failed (" + rc + "): "
                            + Files.readString(tmp.resolve("out.txt")));
                }
                return Files.readString(cfg);
            } finally {
                for (String f : List.of("config.json", "out.txt")) {
                    Files.deleteIfExists(tmp.resolve(f));
                }
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The applet names of the host's busybox, without {@code busybox} itself. */
    public static List<String> applets() {
        List<String> a = applets;
        if (a == null) {
            synchronized (BusyboxBundle.class) {
                a = applets;
                if (a == null) {
                    try {
                        Process p = new ProcessBuilder(ItEnv.busyboxBinary().toString(), "--list")
                                .redirectErrorStream(true).start();
                        String out = new String(p.getInputStream().readAllBytes());
                        if (p.waitFor() != 0) {
                            throw new IllegalStateException("busybox --list failed: " + out);
                        }
                        a = out.lines().map(String::strip)
                                .filter(s -> !s.isEmpty() && !s.equals("busybox") && !s.contains("/"))
                                .toList();
                        applets = a;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return a;
    }

    /** Pretty JSON as runc writes it (tab indent). */
    static String pretty(JsonNode node) throws IOException {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
        return JSON.writer(pp).writeValueAsString(node);
    }

    /** Builds a {@link BusyboxBundle}. */
    public static final class Builder {
        private final Path dir;
        private final List<Consumer<ObjectNode>> edits = new ArrayList<>();

        Builder(Path dir) {
            this.dir = dir;
            edits.add(c -> process(c).put("terminal", false));
        }

        /** {@code process.args}. */
        public Builder args(String... args) {
            edits.add(c -> {
                ArrayNode a = process(c).putArray("args");
                for (String s : args) {
                    a.add(s);
                }
            });
            return this;
        }

        /** {@code hostname}. */
        public Builder hostname(String hostname) {
            edits.add(c -> c.put("hostname", hostname));
            return this;
        }

        /** {@code linux.resources.memory.limit} in bytes. */
        public Builder memoryLimit(long bytes) {
            edits.add(c -> linux(c).withObjectProperty("resources").withObjectProperty("memory").put("limit", bytes));
            return this;
        }

        /** {@code root.readonly}. */
        public Builder readonlyRoot(boolean readonly) {
            edits.add(c -> c.withObjectProperty("root").put("readonly", readonly));
            return this;
        }

        /** Adds a mount. */
        public Builder mount(String destination, String type, String source, String... options) {
            edits.add(c -> {
                ObjectNode m = c.withArrayProperty("mounts").addObject();
                m.put("destination", destination);
                m.put("type", type);
                m.put("source", source);
                ArrayNode o = m.putArray("options");
                for (String s : options) {
                    o.add(s);
                }
            });
            return this;
        }

        /** Removes the namespace of that type (e.g. {@code pid}) from {@code linux.namespaces}. */
        public Builder withoutNamespace(String type) {
            edits.add(c -> {
                ArrayNode ns = linux(c).withArrayProperty("namespaces");
                for (int i = ns.size() - 1; i >= 0; i--) {
                    if (type.equals(ns.get(i).path("type").asText())) {
                        ns.remove(i);
                    }
                }
            });
            return this;
        }

        /** Any other edit of the parsed config.json. */
        public Builder edit(Consumer<ObjectNode> edit) {
            edits.add(edit);
            return this;
        }

        /** Makes the directory, the rootfs and config.json. */
        public BusyboxBundle build() {
            try {
                Path rootfs = dir.resolve("rootfs");
                Path bin = rootfs.resolve("bin");
                Files.createDirectories(bin);
                for (String d : List.of("proc", "dev", "sys", "tmp", "etc", "root")) {
                    Files.createDirectories(rootfs.resolve(d));
                }
                Path bb = bin.resolve("busybox");
                Files.copy(ItEnv.busyboxBinary(), bb);
                Files.setPosixFilePermissions(bb, PosixFilePermissions.fromString("rwxr-xr-x"));
                for (String applet : applets()) {
                    Path link = bin.resolve(applet);
                    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, Path.of("busybox"));
                    }
                }
                ObjectNode config = (ObjectNode) JSON.readTree(specTemplate());
                for (Consumer<ObjectNode> e : edits) {
                    e.accept(config);
                }
                Files.writeString(dir.resolve("config.json"), pretty(config));
                return new BusyboxBundle(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make bundle " + dir, e);
            }
        }

        private static ObjectNode process(ObjectNode c) {
            return c.withObjectProperty("process");
        }

        private static ObjectNode linux(ObjectNode c) {
            return c.withObjectProperty("linux");
        }
    }
}
