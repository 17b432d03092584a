package org.vstation.cpu.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vstation.cpu.Processor;
import org.vstation.cpu.harness.BiosGuest;
import org.vstation.cpu.harness.ProcessorFactory;
import org.vstation.fixtures.nasm.Nasm;

/**
 * Issue 3, "Done when" 5: random bytes as code, in real mode, ring 0, ring 3
 * and with paging, never make the processor throw out of {@code run}: every
 * outcome is architectural (exceptions, which the guest skips, a halt, a
 * triple-fault shutdown). A new seed every run (printed on failure;
 * -Dvstation.random-code.seed=N repeats one).
 */
class RandomCodeTest {
    private static final int MODE = 0x500;
    private static final int RANDOM_CODE = 0x10000;
    private static final int CODE_BYTES = 4096;
    /** Trials per mode: as many as fit in this time, at most MAX_TRIALS (random code is often fault after fault, which is slow). */
    private static final long SECONDS_PER_MODE = 2;
    private static final int MAX_TRIALS = 200;
    private static final long INSTRUCTIONS_PER_TRIAL = 10_000;
    private static final long BOOT_BUDGET = 200_000;
    /** Bytes that start or modify instructions often enough to reach the rarer decoder paths. */
    private static final int[] INTERESTING = {0x0F, 0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65,
            0x8E, 0x8C, 0xCD, 0xCF, 0xCA, 0xCB, 0xC2, 0xC3, 0x9A, 0xEA, 0xFF, 0xD8, 0xDF, 0x62, 0x63, 0xC4, 0xC5};

    static byte[] image() {
        try {
            Path source = Path.of(RandomCodeTest.class.getResource("random-code.asm").toURI());
            Path guests = Path.of(RandomCodeTest.class.getResource("/guests/lib.inc").toURI()).getParent();
            return Nasm.assembleFile(source, guests);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "mode {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void randomCodeNeverThrowsOutOfTheProcessor(int mode) {
        long seed = Long.getLong("vstation.random-code.seed", System.nanoTime()) + mode;
        Random random = new Random(seed);
        byte[] image = image();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + SECONDS_PER_MODE * 1_000_000_000L;
        int trial;
        for (trial = 0; trial < MAX_TRIALS && System.nanoTime() < deadline; trial++) {
            BiosGuest guest = new BiosGuest(image, 4 * 1024 * 1024, ProcessorFactory.X86_CPU);
            guest.memory().write32(MODE, mode);
            byte[] code = new byte[CODE_BYTES];
            for (int i = 0; i < code.length; i++) {
                code[i] = random.nextInt(3) == 0 ? (byte) INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt(256);
            }
            guest.memory().writeBytes(RANDOM_CODE, code, 0, code.length);
            Processor cpu = guest.cpu();
            try {
                long end = BOOT_BUDGET + INSTRUCTIONS_PER_TRIAL;
                while (cpu.instructionCount() < end) {
                    Processor.StopReason reason = cpu.run(10_000);
                    if (reason == Processor.StopReason.HALTED || reason == Processor.StopReason.SHUTDOWN) break;
                }
            } catch (RuntimeException | StackOverflowError e) {
                failures.add(String.format("trial %d: %s%n    code starts %s", trial, e,
                        java.util.HexFormat.of().formatHex(code, 0, 16)));
            }
        }
        assertEquals(List.of(), failures, "mode " + mode + ", seed " + seed + ", " + trial + " trials");
    }
}
