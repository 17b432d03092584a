package org.vstation.cpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class X87BenchmarkTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void printsOperationsPerSecondNextToTheIntegerMips() {
        assertEquals(0, X87Benchmark.run(new String[] {"--seconds", "0.05", "--warmup", "0"}, out));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("x87-mix: \\d+\\.\\d million x87 ops/s\\Ralu-loop: \\d+\\.\\d MIPS \\(integer\\)\\R"), text);
    }

    @Test
    void rejectsABadOption() {
        assertEquals(2, X87Benchmark.run(new String[] {"--seconds", "soon"}, out));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("usage: vstation bench fpu"));
    }
}
