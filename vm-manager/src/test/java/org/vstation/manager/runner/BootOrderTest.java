package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.manager.images.GuestImagesForTests;

/**
 * {@code vstation run --headless --boot …} with a new VM's media, an empty disk and the live CD:
 * SeaBIOS tries the devices in the order given (QEMU's disk-then-CD without {@code --boot}), skips
 * the empty disk, and boots the CD either way, as a new VM does. Read from SeaBIOS's debug console;
 * the run ends once the CD's boot sector runs. Slow: SeaBIOS boots twice on the interpreter.
 */
@Tag("slow")
class BootOrderTest {
    private static final String BOOT_SECTOR_RUNS = "Booting from 0000:7c00";

    @TempDir
    Path temp;

    @ParameterizedTest(name = "--boot {0}")
    @CsvSource(delimiter = '|', value = {
            "|Booting from Hard Disk...;Boot failed: not a bootable disk;Booting from DVD/CD...",
            "cdrom,disk|Booting from DVD/CD..."
    })
    void anEmptyDiskFallsThroughToTheCd(String boot, String expectedAttempts) throws Exception {
        Path iso = GuestImagesForTests.liveCdOrAbort();
        Path bios = GuestImagesForTests.seaBiosOrAbort();
        Path disk = temp.resolve("new.img");
        RawDiskImage.create(disk, 64 << 20);
        Path debugLog = temp.resolve("debugcon.log");

        List<String> options = new ArrayList<>(List.of("--headless", "--memory", "64", "--disk", disk.toString(),
                "--iso", iso.toString(), "--debugcon", debugLog.toString(), "--until", BOOT_SECTOR_RUNS,
                "--timeout", "600"));
        if (boot != null) {
            options.addAll(List.of("--boot", boot));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = HeadlessRunCommand.run(options, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(HeadlessRunCommand.EXIT_OK, exit, err.toString(StandardCharsets.UTF_8));

        List<String> attempts = Files.readAllLines(debugLog, StandardCharsets.ISO_8859_1).stream()
                .filter(line -> line.startsWith("Booting from ") || line.startsWith("Boot failed"))
                .toList();
        List<String> expected = new ArrayList<>(List.of(expectedAttempts.split(";")));
        expected.add(BOOT_SECTOR_RUNS);
        assertEquals(expected, attempts);
    }
}
