package org.vstation.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vstation.fixtures.nasm.Nasm;

/**
 * A short run of the console benchmark (one pair of 30 M-instruction runs after the warm-up pair)
 * reports both speeds side by side, their difference, and a frame rate, frame intervals and pulses
 * from real frames of the 1024x768 guest. No speed is checked: it depends on the host's load.
 */
class ConsoleBenchmarkTest {

    @Test
    void printsGuestMipsHeadlessAndWithTheConsoleSideBySide() {
        assumeTrue(Nasm.isInstalled(), "the benchmark guest needs nasm");
        FxTestSupport.startPlatform();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConsoleBenchmark.run(new String[] {"--runs", "1", "--instructions", "30", "--warmup", "2"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(0, exit, report);
        assertTrue(mips(report, "headless") > 0, report);
        assertTrue(mips(report, "console") > 0, report);
        // One pair is too few for a verdict (PairedComparisonTest covers the verdicts); the figure is printed.
        String verdict = "too few pairs to tell \\(difference [-+][0-9.]+% from 1; a verdict needs 5 or more\\)";
        assertTrue(Pattern.compile("(?m)^console vs headless: " + verdict + "$").matcher(report).find(), report);
        assertTrue(Pattern.compile("(?m)^per VM-thread CPU second: " + verdict + "$").matcher(report).find(), report);
        assertTrue(Pattern.compile("(?m)^fastest runs: headless [0-9.]+, console [0-9.]+ guest MIPS \\([-+][0-9.]+%\\)$")
                .matcher(report).find(), report);
        Matcher fps = Pattern.compile("console: ([0-9.]+) fps of full 1024x768 frames; frame interval median "
                + "([0-9.]+) ms").matcher(report);
        assertTrue(fps.find(), report);
        assertTrue(Double.parseDouble(fps.group(1)) > 0, report);
        assertTrue(Double.parseDouble(fps.group(2)) >= 10, "no faster than the 60 Hz pulse allows: " + report);
        Matcher pulses = Pattern.compile("pulses: ([0-9.]+) per second; a new frame on ([0-9]+)% of them")
                .matcher(report);
        assertTrue(pulses.find(), report);
        assertTrue(Double.parseDouble(pulses.group(1)) <= 70, "JavaFX pulses at up to 60 Hz: " + report);
        assertTrue(Integer.parseInt(pulses.group(2)) > 0 && Integer.parseInt(pulses.group(2)) <= 100, report);
        assertTrue(report.contains("FX application thread"), "the console's own thread took CPU: " + report);
        Matcher onCpu = Pattern.compile("VM thread on a CPU: ([0-9]+)% of the wall time headless, ([0-9]+)% with the"
                + " console").matcher(report);
        assertTrue(onCpu.find(), report);
        assertTrue(Integer.parseInt(onCpu.group(1)) <= 101 && Integer.parseInt(onCpu.group(2)) <= 101, report);
    }

    private static double mips(String report, String run) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(run) + " +([0-9.]+) ").matcher(report);
        assertTrue(line.find(), report);
        return Double.parseDouble(line.group(1));
    }
}
