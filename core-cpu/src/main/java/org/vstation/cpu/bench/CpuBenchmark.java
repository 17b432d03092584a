package org.vstation.cpu.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.vstation.cpu.Processor;
import org.vstation.cpu.X86Cpu;

/**
 * {@code vstation bench cpu}: guest MIPS of the interpreter (with {@code --jit}: of the JIT tier) on fixed
 * workloads in 32-bit protected mode with paging on (see {@link Workload}),
 * one line {@code <workload>: <N> MIPS} each, and where qemu-system-i386 is
 * installed {@code <workload> vs qemu: <ratio>} (our MIPS / QEMU's, measured
 * as {@link QemuTiming} explains).
 *
 * <p>Each workload first runs untimed for the warm-up time, so HotSpot has
 * compiled the interpreter's hot paths, then for the measured time; MIPS is
 * instructions retired (the processor's own count) per second of the VM
 * thread's processor time ({@link CpuTime}), so a busy host does not skew it.
 */
public final class CpuBenchmark {
    private static final long BOOT_BUDGET = 10_000_000;
    private static final String USAGE = """
            usage: vstation bench cpu [--seconds S] [--warmup S] [--no-qemu] [--jit] [WORKLOAD...]
              WORKLOAD: alu-loop, mem-copy, call-ret (default: all)
              --jit        with the JIT tier (default: the interpreter alone)
              --seconds S  measured processor time per workload (default 3)
              --warmup S   untimed run before it (default 2)
              --no-qemu    do not compare with qemu-system-i386""";

    private CpuBenchmark() {
    }

    /** Runs the benchmark as the command line asks; returns the process exit code. */
    public static int run(String[] args, PrintStream out) {
        return run(args, out, X86Cpu::new, QemuTiming.find());
    }

    static int run(String[] args, PrintStream out, BenchmarkMachine.ProcessorFactory factory, Optional<QemuTiming> qemu) {
        double seconds = 3;
        double warmup = 2;
        boolean compare = true;
        boolean jit = false;
        List<Workload> workloads = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = positive(args, ++i);
                    case "--warmup" -> warmup = nonNegative(args, ++i);
                    case "--no-qemu" -> compare = false;
                    case "--jit" -> jit = true;
                    default -> workloads.add(Workload.byLabel(args[i]));
                }
            }
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (workloads.isEmpty()) workloads = List.of(Workload.values());
        boolean withJit = jit;
        BenchmarkMachine.ProcessorFactory tier = (memory, io, interrupts, clock) -> {
            Processor cpu = factory.create(memory, io, interrupts, clock);
            if (cpu instanceof X86Cpu x86) {
                x86.setJitEnabled(withJit);
            }
            return cpu;
        };
        int status = 0;
        for (Workload workload : workloads) {
            Optional<Double> mips = measure(workload, tier, seconds, warmup, out);
            if (mips.isEmpty()) {
                status = 1;
                continue;
            }
            out.printf(Locale.ROOT, "%s: %.1f MIPS%n", workload.label(), mips.get());
            if (compare && qemu.isPresent()) {
                try {
                    double reference = qemu.get().mips(workload);
                    out.printf(Locale.ROOT, "%s vs qemu: %.3f%n", workload.label(), mips.get() / reference);
                } catch (IOException e) {
                    out.println(workload.label() + " vs qemu: not measured (" + e.getMessage() + ")");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }
        return status;
    }

    static Optional<Double> measure(Workload workload, BenchmarkMachine.ProcessorFactory factory,
                                            double seconds, double warmup, PrintStream out) {
        // Enough rounds that the guest never reaches its exit while we measure.
        BenchmarkMachine machine = new BenchmarkMachine(workload.image(0xFFFF_FFFFL), factory);
        if (!machine.runToStart(BOOT_BUDGET)) {
            out.println(workload.label() + ": the workload did not start: " + machine.cpu().describeState());
            return Optional.empty();
        }
        machine.runFor((long) (warmup * 1e9));
        long[] measured = machine.runFor((long) (seconds * 1e9));
        if (machine.exited()) {
            out.println(workload.label() + ": the workload ended early: " + machine.cpu().describeState());
            return Optional.empty();
        }
        return Optional.of(measured[0] / (measured[1] / 1e9) / 1e6);
    }

    private static double positive(String[] args, int i) {
        double value = nonNegative(args, i);
        if (value == 0) throw new IllegalArgumentException(args[i - 1] + " must be more than 0");
        return value;
    }

    private static double nonNegative(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a number of seconds");
        try {
            double value = Double.parseDouble(args[i]);
            if (value < 0 || Double.isNaN(value)) throw new NumberFormatException();
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + ": not a number of seconds: " + args[i]);
        }
    }
}
