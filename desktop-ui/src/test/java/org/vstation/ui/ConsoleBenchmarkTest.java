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
 * Two one-second runs each way of the console benchmark report both speeds, their run-to-run
 * noise, a verdict, and a frame rate and frame intervals from real frames. The guest is the live
 * CD's boot, which keeps the CPU busy for the whole second; SeaBIOS without boot media halts within
 * a second on a quiet host, and a halted guest executes nothing to measure. Whether the console is
 * "not measurably slower" depends on the host's load, so only the verdict's presence is checked.
 */
class ConsoleBenchmarkTest {

    @Test
    void printsGuestMipsHeadlessAndWithTheConsoleSideBySide() {
        assumeTrue(Files.isRegularFile(FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS)),
                "needs SeaBIOS: ./vstation fetch-firmware");
        assumeTrue(Files.isRegularFile(LiveCdImage.ofUser().path()), "needs the live CD: ./vstation build-guest");
        FxTestSupport.startPlatform();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConsoleBenchmark.run(new String[] {"--seconds", "1", "--runs", "2"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(0, exit, report);
        assertTrue(mips(report, "headless") > 0, report);
        assertTrue(mips(report, "console, full 1024x768 frames") > 0, report);
        assertTrue(Pattern.compile("console vs headless: [-+][0-9.]+%, noise \\(2 standard errors\\) [0-9.]+%;"
                + " per CPU s [-+][0-9.]+%, noise [0-9.]+%: (not measurably slower|measurably slower|the host is too"
                + " noisy to tell)").matcher(report).find(), report);
        Matcher fps = Pattern.compile("console: ([0-9.]+) fps of full 1024x768 frames; frame interval median "
                + "([0-9.]+) ms").matcher(report);
        assertTrue(fps.find(), report);
        assertTrue(Double.parseDouble(fps.group(1)) > 0, report);
        assertTrue(Double.parseDouble(fps.group(2)) >= 10, "no faster than the 60 Hz pulse allows: " + report);
    }

    private static double mips(String report, String run) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(run) + " +([0-9.]+) ").matcher(report);
        assertTrue(line.find(), report);
        return Double.parseDouble(line.group(1));
    }
}
