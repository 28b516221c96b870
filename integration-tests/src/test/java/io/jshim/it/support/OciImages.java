package io.jshim.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Offline OCI images for the containerd tests: a busybox rootfs, and an OCI image layout of a rootfs (one
 * uncompressed layer) archived with tar, ready for {@code ctr images import}, which unpacks it for the
 * default snapshotter (overlayfs). The image is named by the {@code io.containerd.image.name} annotation,
 * which both containerd 1.6 and 2.x honour on import (image-spec image-layout.md; containerd
 * core/images/archive/importer.go).
 */
public final class OciImages {

    private OciImages() {
    }

    /** A rootfs with the static busybox and a symlink per applet under bin/, plus the usual empty dirs. */
    public static Path busyboxRootfs(Path dir) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(ItEnv.busyboxBinary(), bin.resolve("busybox"));
        Process list = new ProcessBuilder(ItEnv.busyboxBinary().toString(), "--list").start();
        String applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor();
        for (String a : applets.split("\\s+")) {
            if (!a.isEmpty() && !a.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
            }
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(dir.resolve(d));
        }
        return dir;
    }

    /**
     * Writes {@code work/<name-free>.tar}: an OCI archive of {@code rootfs} as one layer, with the image
     * config's {@code config} object {@code imageConfig} (e.g. {@code {"Env":["PATH=/bin"],"Cmd":["/bin/sh"]}}),
     * named {@code imageName}. Returns the archive.
     */
    public static Path archive(Path work, Path rootfs, String imageName, String imageConfig) throws IOException {
        Path layout = Files.createDirectories(work.resolve("image-layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layer = work.resolve("layer.tar");
        run("tar", "--numeric-owner", "-C", rootfs.toString(), "-cf", layer.toString(), ".");
        String layerDigest = sha256(Files.readAllBytes(layer));
        Files.move(layer, blobs.resolve(layerDigest));
        String config = """
                {"architecture":"amd64","os":"linux","config":%s,\
                "rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}""".formatted(imageConfig, layerDigest);
        String configDigest = blob(blobs, config);
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}"""
                .formatted(configDigest, config.length(), layerDigest, Files.size(blobs.resolve(layerDigest)));
        String manifestDigest = blob(blobs, manifest);
        String tag = imageName.substring(imageName.lastIndexOf(':') + 1);
        Files.writeString(layout.resolve("index.json"), """
                {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s",\
                "org.opencontainers.image.ref.name":"%s"}}]}""".formatted(manifestDigest, manifest.length(),
                imageName, tag));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path archive = work.resolve("image.tar");
        run("tar", "-C", layout.toString(), "-cf", archive.toString(), "oci-layout", "index.json", "blobs");
        return archive;
    }

    private static String blob(Path blobs, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        String d = sha256(b);
        Files.write(blobs.resolve(d), b);
        return d;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command to completion (60 s at most); a non-zero exit is an IOException with its output. */
    public static String run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
