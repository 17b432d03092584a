package org.vstation.cpu.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;

import org.vstation.cpu.X86Cpu;
import org.vstation.cpu.fpu.FpuContext;
import org.vstation.cpu.fpu.X87Fpu;

/**
 * {@code vstation bench fpu}: x87 operations per second on a fixed mixed workload, the kind of loop a guest's
 * numeric code runs (load, add, multiply, divide, square root, compare, store), executed through
 * {@link X87Fpu#execute} exactly as the interpreter calls it, per second of this thread's processor time
 * ({@link CpuTime}), printed as {@code x87-mix: <N> million x87 ops/s}, followed by the integer MIPS of
 * {@code vstation bench cpu}'s alu-loop measured the same way, so the two can be read side by side.
 */
public final class X87Benchmark {
    /** One round of the workload, as (opcode, ModR/M) pairs; the stack is balanced at the end. */
    private static final int[][] WORKLOAD = {
            {0xDD, 0x00}, // FLD m64fp        a
            {0xD9, 0xC0}, // FLD ST(0)        a a
            {0xD8, 0xC8}, // FMUL ST, ST(0)   a² a
            {0xDC, 0x00}, // FADD m64fp       a²+a a
            {0xD8, 0xC1}, // FADD ST, ST(1)   .. a
            {0xD8, 0xF1}, // FDIV ST, ST(1)   .. a
            {0xD9, 0xFA}, // FSQRT
            {0xD8, 0xD1}, // FCOM ST(1)
            {0xDE, 0xC9}, // FMULP            x
            {0xDC, 0x20}, // FSUB m64fp
            {0xD8, 0xE0}, // FSUB ST, ST(0)   0
            {0xDB, 0xF0}, // FCOMI ST, ST(0)
            {0xDD, 0x18}, // FSTP m64fp       (empty)
    };

    private static final String USAGE = """
            usage: vstation bench fpu [--seconds S] [--warmup S]
              --seconds S  measured processor time (default 3)
              --warmup S   untimed run before it (default 1)""";

    private X87Benchmark() {
    }

    /** Runs the benchmark as the command line asks; returns the process exit code. */
    public static int run(String[] args, PrintStream out) {
        double seconds = 3;
        double warmup = 1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = seconds(args, ++i, false);
                    case "--warmup" -> warmup = seconds(args, ++i, true);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        X87Fpu fpu = new X87Fpu();
        BenchContext context = new BenchContext();
        fpu.reset();
        runFor(fpu, context, warmup); // lets HotSpot compile the paths first
        long start = CpuTime.thread();
        long operations = runFor(fpu, context, seconds);
        double elapsed = (CpuTime.thread() - start) / 1e9;
        out.printf(Locale.ROOT, "x87-mix: %.1f million x87 ops/s%n", operations / elapsed / 1e6);
        Optional<Double> integer = CpuBenchmark.measure(Workload.ALU_LOOP, X86Cpu::new, seconds, warmup, out);
        integer.ifPresent(mips -> out.printf(Locale.ROOT, "%s: %.1f MIPS (integer)%n", Workload.ALU_LOOP.label(), mips));
        return integer.isPresent() ? 0 : 1;
    }

    /** Runs whole rounds of the workload for about {@code seconds} of this thread's processor time. */
    private static long runFor(X87Fpu fpu, BenchContext context, double seconds) {
        long deadline = CpuTime.thread() + (long) (seconds * 1e9);
        long operations = 0;
        do {
            for (int round = 0; round < 1000; round++) {
                context.store(Double.doubleToRawLongBits(1.0 + (round & 63) / 64.0));
                for (int[] instruction : WORKLOAD) {
                    fpu.execute(instruction[0], instruction[1], context);
                }
                operations += WORKLOAD.length;
            }
        } while (CpuTime.thread() < deadline);
        if (fpu.top() != 0 || fpu.tagWord() != 0xFFFF) {
            throw new IllegalStateException("x87 benchmark left the stack unbalanced: status %04x, tags %04x"
                    .formatted(fpu.statusWord(), fpu.tagWord()));
        }
        return operations;
    }

    private static double seconds(String[] args, int i, boolean zeroAllowed) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a number of seconds");
        }
        double value;
        try {
            value = Double.parseDouble(args[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + ": not a number of seconds: " + args[i]);
        }
        if (!(value > 0 || (zeroAllowed && value == 0))) {
            throw new IllegalArgumentException(args[i - 1] + ": not a number of seconds: " + args[i]);
        }
        return value;
    }

    /** The memory operand is one qword; everything else is constant. */
    private static final class BenchContext implements FpuContext {
        private long memory;
        private int eflags = 2;

        void store(long value) {
            memory = value;
        }

        @Override
        public int readOperand(int offset, int size) {
            long shifted = memory >>> (8 * offset);
            return size == 4 ? (int) shifted : (int) shifted & ((1 << (8 * size)) - 1);
        }

        @Override
        public void writeOperand(int offset, int size, int value) {
            long mask = (size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1) << (8 * offset);
            memory = (memory & ~mask) | (((long) value << (8 * offset)) & mask);
        }

        @Override
        public boolean operandSize32() {
            return true;
        }

        @Override
        public boolean protectedMode() {
            return true;
        }

        @Override
        public int eflags() {
            return eflags;
        }

        @Override
        public void setEflags(int eflags) {
            this.eflags = eflags;
        }

        @Override
        public int instructionSelector() {
            return 0x08;
        }

        @Override
        public int instructionOffset() {
            return 0x1000;
        }

        @Override
        public int operandSelector() {
            return 0x10;
        }

        @Override
        public int operandOffset() {
            return 0x2000;
        }
    }
}
