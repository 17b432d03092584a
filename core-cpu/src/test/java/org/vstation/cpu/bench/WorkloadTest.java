package org.vstation.cpu.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vstation.cpu.X86Cpu;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.fixtures.qemu.QemuRunner;

class WorkloadTest {

    private static byte[] assembled() throws URISyntaxException {
        return Nasm.assembleFile(Path.of(WorkloadTest.class.getResource("bench.asm").toURI()));
    }

    /** The bytes embedded in Workload are what bench.asm assembles to, with the two parameters patched in. */
    @ParameterizedTest
    @EnumSource(Workload.class)
    void embeddedImageIsTheAssembledSource(Workload workload) throws Exception {
        byte[] expected = assembled();
        expected[0xFFE0] = (byte) workload.ordinal();
        expected[0xFFE4] = 0x34;
        expected[0xFFE5] = 0x12;
        assertArrayEquals(expected, workload.image(0x1234));
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void qemuRunsEachWorkloadToItsExit(Workload workload) {
        QemuRunner.Result result = new QemuRunner(Duration.ofSeconds(30)).run(workload.image(100));
        assertEquals(QemuRunner.Ending.DEBUG_EXIT, result.ending());
        assertEquals(0, result.exitValue());
    }

    /** X86Cpu retires exactly the documented instructions per round (the MIPS figures rely on it). */
    @ParameterizedTest
    @EnumSource(Workload.class)
    void eachRoundRetiresItsDocumentedInstructionCount(Workload workload) {
        assertEquals(10 * workload.instructionsPerRound(), retiredAfterStart(workload, 20) - retiredAfterStart(workload, 10));
    }

    private static long retiredAfterStart(Workload workload, long rounds) {
        BenchmarkMachine machine = new BenchmarkMachine(workload.image(rounds), X86Cpu::new);
        assertTrue(machine.runToStart(1_000_000), machine.cpu().describeState());
        long start = machine.cpu().instructionCount();
        machine.runToExit(10_000_000);
        assertTrue(machine.exited(), machine.cpu().describeState());
        return machine.cpu().instructionCount() - start;
    }

    @Test
    void labelsNameTheWorkloads() {
        assertEquals(Workload.ALU_LOOP, Workload.byLabel("alu-loop"));
        assertEquals(Workload.MEM_COPY, Workload.byLabel("mem-copy"));
        assertEquals(Workload.CALL_RET, Workload.byLabel("call-ret"));
    }
}
