package org.vstation.manager.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.fixtures.images.GuestImages;

/** A second build of the live CD, in a fresh cache at another time, gives the same bytes; a rerun is a no-op. */
@Tag("slow")
class ReproducibleLiveImageTest {

    @TempDir
    Path freshCache;

    private record Run(int exitStatus, String stdout, String stderr) {
    }

    private Run build() throws Exception {
        Path script = GuestImages.repository().resolve("guest-images/build-debian-live");
        ProcessBuilder builder = new ProcessBuilder(script.toString());
        builder.environment().put("VSTATION_CACHE", freshCache.toString());
        Path stderrFile = freshCache.resolve("stderr.txt");
        Process process = builder.redirectError(stderrFile.toFile()).start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(15, TimeUnit.MINUTES), "build-debian-live did not finish");
        return new Run(process.exitValue(), stdout.strip(), Files.readString(stderrFile));
    }

    @Test
    void aFreshBuildMatchesTheCachedImageByteForByte() throws Exception {
        Path cached = GuestImages.debianLiveIso();

        Run fresh = build();
        assertEquals(0, fresh.exitStatus(), fresh.stderr());
        Path rebuilt = Path.of(fresh.stdout());
        assertEquals(freshCache.resolve("images/debian-live-i386.iso"), rebuilt);
        assertEquals(-1L, Files.mismatch(cached, rebuilt),
                "the same packages and build files gave a different ISO");

        Run again = build();
        assertEquals(0, again.exitStatus(), again.stderr());
        assertTrue(again.stderr().contains("up to date"), again.stderr());
    }
}
