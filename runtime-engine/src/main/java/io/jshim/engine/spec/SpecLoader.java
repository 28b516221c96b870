package io.jshim.engine.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jshim.engine.json.RecordJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads {@code <bundle>/config.json} into a {@link Spec}, with errors that name the file and position. */
public final class SpecLoader {
    private SpecLoader() {
    }

    public static Spec load(Path bundle) throws SpecException {
        if (!Files.isDirectory(bundle)) {
            throw new SpecException("chdir " + bundle + ": " + (Files.exists(bundle)
                    ? "not a directory" : "no such file or directory"));
        }
        Path config = bundle.resolve("config.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(config);
        } catch (NoSuchFileException e) {
            throw new SpecException("open " + config + ": no such file or directory");
        } catch (IOException e) {
            throw new SpecException("read " + config + ": " + e.getMessage(), e);
        }
        try {
            return RecordJson.read(bytes, Spec.class);
        } catch (RecordJson.BindException e) {
            throw new SpecException("invalid " + config + ": field " + e.getMessage());
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new SpecException("invalid JSON in " + config
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new SpecException("read " + config + ": " + e.getMessage(), e);
        }
    }

}
