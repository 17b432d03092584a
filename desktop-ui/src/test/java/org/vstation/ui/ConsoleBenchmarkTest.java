package org.vstation.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.LiveCdImage;

/**
 * A one-second run of the console benchmark reports both speeds and a frame rate from real frames.
 * The guest is the live CD's boot, which keeps the CPU busy for the whole second; SeaBIOS without
 * boot media halts within a second on a quiet host, and a halted guest executes nothing to measure.
 */
class ConsoleBenchmarkTest {

    @Test
    void printsGuestMipsHeadlessAndWithTheConsoleSideBySide() {
        assumeTrue(Files.isRegularFile(FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS)),
                "needs SeaBIOS: ./vstation fetch-firmware");
        assumeTrue(Files.isRegularFile(LiveCdImage.ofUser().path()), "needs the live CD: ./vstation build-guest");
        FxTestSupport.startPlatform();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConsoleBenchmark.run(new String[] {"--seconds", "1"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(0, exit, report);
        assertTrue(mips(report, "headless") > 0, report);
        assertTrue(mips(report, "console, full 1024x768 frames") > 0, report);
        Matcher fps = Pattern.compile("console: ([0-9.]+) fps of full 1024x768 frames").matcher(report);
        assertTrue(fps.find() && Double.parseDouble(fps.group(1)) > 0, report);
    }

    private static double mips(String report, String run) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(run) + " +([0-9.]+)$").matcher(report);
        assertTrue(line.find(), report);
        return Double.parseDouble(line.group(1));
    }
}
