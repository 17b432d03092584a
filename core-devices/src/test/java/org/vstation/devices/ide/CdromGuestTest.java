package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.storage.IsoImage;

/**
 * Issue 7, "done when" 1: SeaBIOS boots a nasm guest from an ISO built with
 * xorriso (El Torito, no emulation); the guest finds a file through the ISO
 * 9660 directory and reads it through the CD-ROM by PIO and by bus-master
 * DMA, and both checksums match the host's.
 */
class CdromGuestTest {
    private static final Pattern RESULT = Pattern.compile("CDTEST (PIO|DMA) ([0-9A-F]{8})");

    @TempDir
    Path dir;

    @Test
    void guestReadsAFileThroughPioAndDma() throws Exception {
        Path bios = BootIso.requireTools();
        byte[] file = new byte[40_000];
        new Random(7).nextBytes(file);
        Path iso = BootIso.build(dir, "cdread.asm", Map.of("HELLO.BIN", file));
        int expected = 0;
        for (byte b : file) {
            expected = expected * 31 + (b & 0xFF);
        }

        Machine machine = new Machine("cdtest", new MachineConfig().memoryMegabytes(32)
                .biosImage(Files.readAllBytes(bios)).cdromImage(IsoImage.open(iso)), X86Cpu::new);
        StringBuffer log = new StringBuffer();
        machine.addDebugConsoleListener(b -> {
            log.append((char) b);
            if (b == '\n' && (log.indexOf("CDTEST DONE") >= 0 || log.indexOf("CDTEST FAIL") >= 0)) {
                machine.requestPowerOffFromVmThread();
            }
        });
        machine.start();
        if (!machine.awaitTermination(120, TimeUnit.SECONDS)) {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }
        String output = log.toString();
        assertTrue(output.contains("CDTEST DONE"), "the guest did not finish:\n" + output);
        Matcher m = RESULT.matcher(output);
        int results = 0;
        while (m.find()) {
            assertEquals(String.format("%08X", expected), m.group(2), m.group(1) + " checksum");
            results++;
        }
        assertEquals(2, results, output);
    }
}
