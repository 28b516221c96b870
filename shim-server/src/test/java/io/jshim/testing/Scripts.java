package io.jshim.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs the helper scripts kept in src/test/resources and returns their last line of stdout. */
public final class Scripts {

    private Scripts() {
    }

    public static String run(String resource, Duration timeout) throws IOException, InterruptedException {
        Path script = resourcePath(resource);
        Process process = new ProcessBuilder("bash", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(resource + " did not finish within " + timeout);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IOException(resource + " failed with exit status " + process.exitValue() + ": " + out);
        }
        return out.lines().reduce((first, second) -> second).orElse("");
    }

    private static Path resourcePath(String resource) throws IOException {
        URL url = Scripts.class.getResource("/" + resource);
        if (url == null) {
            throw new IOException("no test resource " + resource);
        }
        if (!"file".equals(url.getProtocol())) {
            // inside this module's test jar (another module's tests reuse it): copy it out
            Path copy = java.nio.file.Files.createTempFile("jshim-", "-" + resource);
            copy.toFile().deleteOnExit();
            try (var in = url.openStream()) {
                java.nio.file.Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
