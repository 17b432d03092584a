package org.vstation.cpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.vstation.cpu.Processor;

class CpuBenchmarkTest {

    /** A stand-in processor: signals the workload's start, then retires its whole budget on every run. */
    private static final BenchmarkMachine.ProcessorFactory STAND_IN = (memory, io, interrupts, clock) -> new Processor() {
        private long retired;
        private boolean started;

        @Override public void reset() { }

        @Override
        public StopReason run(long budget) {
            if (!started) {
                started = true;
                io.write(Workload.START_PORT, 1, 0);
                return StopReason.STOP_REQUESTED;
            }
            retired += budget;
            return StopReason.BUDGET_EXHAUSTED;
        }

        @Override public void setInterruptRequest(boolean asserted) { }
        @Override public void raiseNmi() { }
        @Override public void requestStop() { }
        @Override public long instructionCount() { return retired; }
        @Override public String describeState() { return "stand-in"; }
    };

    private static String run(BenchmarkMachine.ProcessorFactory factory, String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int status = CpuBenchmark.run(args, out, factory, Optional.empty());
        return status + "\n" + buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsOneMipsLinePerWorkload() {
        String output = run(STAND_IN, "--seconds", "0.05", "--warmup", "0");
        assertTrue(output.matches("0\nalu-loop: \\d+\\.\\d MIPS\nmem-copy: \\d+\\.\\d MIPS\ncall-ret: \\d+\\.\\d MIPS\n"), output);
    }

    @Test
    void runsOnlyTheWorkloadsNamed() {
        String output = run(STAND_IN, "--seconds", "0.05", "--warmup", "0", "call-ret");
        assertTrue(output.matches("0\ncall-ret: \\d+\\.\\d MIPS\n"), output);
    }

    @Test
    void reportsAWorkloadThatNeverStarts() {
        BenchmarkMachine.ProcessorFactory silent = (memory, io, interrupts, clock) -> new Processor() {
            private long retired;
            @Override public void reset() { }
            @Override public StopReason run(long budget) { retired += budget; return StopReason.BUDGET_EXHAUSTED; }
            @Override public void setInterruptRequest(boolean asserted) { }
            @Override public void raiseNmi() { }
            @Override public void requestStop() { }
            @Override public long instructionCount() { return retired; }
            @Override public String describeState() { return "CS:EIP=f000:fff0"; }
        };
        String output = run(silent, "--seconds", "0.05", "alu-loop");
        assertEquals("1\nalu-loop: the workload did not start: CS:EIP=f000:fff0\n", output);
    }

    @Test
    void rejectsBadArguments() {
        assertTrue(run(STAND_IN, "--seconds").startsWith("2\n--seconds needs a number of seconds"));
        assertTrue(run(STAND_IN, "--seconds", "0").startsWith("2\n--seconds must be more than 0"));
        assertTrue(run(STAND_IN, "linpack").startsWith("2\nunknown workload linpack"));
    }
}
