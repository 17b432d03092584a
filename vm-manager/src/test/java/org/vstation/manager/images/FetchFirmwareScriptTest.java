package org.vstation.manager.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs guest-images/fetch-firmware into a private cache and reads the result with FirmwareCache,
 * so the script's manifest and the Java reader cannot drift apart.
 */
class FetchFirmwareScriptTest {

    /** The script's exit status when this machine cannot fetch (no apt, no lists, no network). */
    private static final int IMPOSSIBLE_HERE = 3;

    @TempDir
    Path cacheRoot;

    private record Run(int exitStatus, String stdout, String stderr) {
    }

    private Run fetchFirmware() throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("vstation.repo", "..")).resolve("guest-images/fetch-firmware");
        ProcessBuilder builder = new ProcessBuilder(script.toString());
        builder.environment().put("VSTATION_CACHE", cacheRoot.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "fetch-firmware did not finish");
        return new Run(process.exitValue(), stdout.strip(), stderr);
    }

    @Test
    void fetchedFirmwareVerifiesAndARepeatIsANoOp() throws Exception {
        Run first = fetchFirmware();
        assumeTrue(first.exitStatus() != IMPOSSIBLE_HERE, () -> "cannot fetch firmware here: " + first.stderr());
        assertEquals(0, first.exitStatus(), first.stderr());
        Path firmwareDir = cacheRoot.resolve("firmware");
        assertEquals(firmwareDir.toString(), first.stdout());

        FirmwareCache.Firmware firmware = FirmwareCache.at(firmwareDir).load();
        // SeaBIOS 1.16 for QEMU's i440FX is a 128 KiB image; an option ROM starts with the 55 AA signature.
        assertEquals(128 * 1024, firmware.bios().length);
        assertEquals(0x55, firmware.vgaBios()[0] & 0xFF);
        assertEquals(0xAA, firmware.vgaBios()[1] & 0xFF);

        Run second = fetchFirmware();
        assertEquals(0, second.exitStatus(), second.stderr());
        assertTrue(second.stderr().contains("up to date"), second.stderr());
    }
}
