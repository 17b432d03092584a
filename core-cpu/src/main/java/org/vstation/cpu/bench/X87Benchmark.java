package org.vstation.cpu.bench;

import java.io.PrintStream;

import org.vstation.cpu.fpu.FpuContext;
import org.vstation.cpu.fpu.X87Fpu;

/**
 * x87 operations per second on a fixed mixed workload: the kind of loop a guest's numeric code runs (load,
 * add, multiply, divide, square root, compare, store), executed through {@link X87Fpu#execute} exactly as the
 * interpreter calls it. Run by {@code vstation bench fpu}.
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

    private X87Benchmark() {
    }

    /** {@code args}: optional run time in seconds (default 3). Returns a process exit status. */
    public static int run(String[] args, PrintStream out) {
        double seconds = 3;
        if (args.length > 0) {
            try {
                seconds = Double.parseDouble(args[0]);
            } catch (NumberFormatException e) {
                out.println("usage: bench fpu [seconds]");
                return 2;
            }
        }
        X87Fpu fpu = new X87Fpu();
        BenchContext context = new BenchContext();
        fpu.reset();
        runFor(fpu, context, Math.min(seconds, 1.0) / 2); // warm-up: lets the JIT compile the paths
        long start = System.nanoTime();
        long operations = runFor(fpu, context, seconds);
        double elapsed = (System.nanoTime() - start) / 1e9;
        out.printf("x87: %.1f million operations/s (add/mul/div/sqrt/compare mix, %d ops in %.2f s)%n",
                operations / elapsed / 1e6, operations, elapsed);
        return 0;
    }

    private static long runFor(X87Fpu fpu, BenchContext context, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long operations = 0;
        long value = Double.doubleToRawLongBits(1.0);
        while (System.nanoTime() < deadline) {
            for (int round = 0; round < 1000; round++) {
                value = Double.doubleToRawLongBits(1.0 + (round & 63) / 64.0);
                context.store(value);
                for (int[] instruction : WORKLOAD) {
                    fpu.execute(instruction[0], instruction[1], context);
                }
                operations += WORKLOAD.length;
            }
        }
        if (fpu.top() != 0) {
            throw new IllegalStateException("x87 benchmark left the stack unbalanced: " + fpu.top());
        }
        return operations;
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
