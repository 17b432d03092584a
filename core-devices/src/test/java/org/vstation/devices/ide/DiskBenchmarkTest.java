package org.vstation.devices.ide;

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

class DiskBenchmarkTest {
    @Test
    void printsThroughputAndFlushLatency() {
        assumeTrue(Nasm.isInstalled(), "the guest half needs nasm");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = DiskBenchmark.run(new String[] {"4"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, output);
        for (String kind : new String[] {"sequential write", "sequential read"}) {
            Matcher m = Pattern.compile(kind + ".*?([0-9.]+) MB/s").matcher(output);
            assertTrue(m.find(), output);
            assertTrue(Double.parseDouble(m.group(1)) > 0, output);
        }
        // The guest half: a machine's CPU moved the data (it checks the pattern it read back, or says FAIL).
        for (String kind : new String[] {"guest sequential write", "guest sequential read"}) {
            Matcher m = Pattern.compile(kind + ": +([0-9.]+) MB/s").matcher(output);
            assertTrue(m.find(), output);
            assertTrue(Double.parseDouble(m.group(1)) > 0, output);
        }
        Matcher flush = Pattern.compile("FLUSH CACHE .*?([0-9.]+) ms, of which the VM thread ([0-9.]+) ms").matcher(output);
        assertTrue(flush.find(), output);
        assertTrue(Double.parseDouble(flush.group(2)) <= Double.parseDouble(flush.group(1)), output);
    }

    @Test
    void refusesBadArguments() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(2, DiskBenchmark.run(new String[] {"lots"}, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("usage:"));
    }
}
