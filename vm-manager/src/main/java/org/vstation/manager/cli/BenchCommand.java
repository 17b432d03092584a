package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vstation.cpu.bench.CpuBenchmark;
import org.vstation.cpu.bench.X87Benchmark;
import org.vstation.devices.ide.DiskBenchmark;
import org.vstation.devices.vga.RenderBenchmark;
import org.vstation.manager.runner.BootBenchmark;
import org.vstation.manager.net.NatBenchmark;

/** {@code vstation bench WHAT}: the benchmarks that prove speed targets, printing figures. */
final class BenchCommand implements Command {

    /** A benchmark entry point: {@code static int run(String[] args, PrintStream out)}. */
    @FunctionalInterface
    interface Benchmark {
        int run(String[] args, PrintStream out) throws Exception;
    }

    private final Map<String, Benchmark> benchmarks = new LinkedHashMap<>();

    BenchCommand() {
        benchmarks.put("cpu", CpuBenchmark::run);
        benchmarks.put("fpu", X87Benchmark::run);
        benchmarks.put("vga", RenderBenchmark::run);
        benchmarks.put("disk", DiskBenchmark::run);
        benchmarks.put("boot", BootBenchmark::run);
        benchmarks.put("net", NatBenchmark::run);
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String help() {
        return "run a benchmark: " + String.join(", ", benchmarks.keySet());
    }

    @Override
    public String usage() {
        return "usage: vstation bench " + String.join("|", benchmarks.keySet()) + " [options]\n"
                + "  cpu: guest MIPS of fixed workloads (alu-loop, mem-copy, call-ret), and the ratio to QEMU's TCG\n"
                + "  fpu: x87 operations per second of a fixed add/mul/div/sqrt/compare mix, beside integer MIPS\n"
                + "  vga: frames per second of full text and 1024x768x32 redraws, and the cost of an unchanged frame\n"
                + "  disk: sequential DMA read and write MB/s through the IDE registers\n"
                + "  boot: seconds to boot the Debian live CD to its shell prompt, beside QEMU's TCG on the same ISO\n"
                + "  net: guest-to-host TCP MB/s through the NAT gateway";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        if (args.isEmpty()) {
            throw new UsageException("which benchmark? one of " + String.join(", ", benchmarks.keySet()));
        }
        Benchmark benchmark = benchmarks.get(args.getFirst());
        if (benchmark == null) {
            throw new UsageException("'" + args.getFirst() + "' is not a benchmark; one of "
                    + String.join(", ", benchmarks.keySet()));
        }
        return benchmark.run(args.subList(1, args.size()).toArray(String[]::new), context.out());
    }
}
