package org.vstation.manager.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmLogTest {

    @TempDir
    Path folder;

    @Test
    void eachEventIsOneTimestampedLineOfItsKind() throws Exception {
        VmLog log = new VmLog(folder, 1 << 20, Clock.fixed(Instant.parse("2026-11-21T08:00:00Z"), ZoneOffset.UTC));
        log.power("power on");
        log.media("inserted /isos/debian.iso");
        log.nic("adapter 0 mode nat -> hostonly");
        log.error("disk write failed", null);
        assertEquals(List.of(
                "2026-11-21T08:00:00Z power: power on",
                "2026-11-21T08:00:00Z media: inserted /isos/debian.iso",
                "2026-11-21T08:00:00Z nic: adapter 0 mode nat -> hostonly",
                "2026-11-21T08:00:00Z error: disk write failed"), Files.readAllLines(folder.resolve(VmLog.FILE_NAME)));
    }

    @Test
    void aFullLogRotatesAndKeepsThreeOldOnes() throws Exception {
        VmLog log = new VmLog(folder, 100, Clock.systemUTC());
        for (int i = 0; i < 40; i++) {
            log.power("event " + i + " with some text to fill the file");
        }
        assertTrue(Files.size(folder.resolve("vstation.log")) < 200);
        for (int generation = 1; generation <= 3; generation++) {
            assertTrue(Files.exists(folder.resolve("vstation.log." + generation)));
        }
        assertFalse(Files.exists(folder.resolve("vstation.log.4")));
        assertTrue(Files.readString(folder.resolve("vstation.log")).contains("event 39 "));
        String newestRotated = Files.readString(folder.resolve("vstation.log.1"));
        assertFalse(newestRotated.contains("event 39 "));
        assertTrue(newestRotated.contains("event 3"));
    }

    @Test
    void anUnwritableLogNeverThrows() throws Exception {
        Path notAFolder = folder.resolve("file");
        Files.writeString(notAFolder, "x");
        new VmLog(notAFolder).power("power on");
    }
}
