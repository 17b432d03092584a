package org.vstation.ui;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javafx.animation.AnimationTimer;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.vstation.devices.Machine;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.LiveCdImage;
import org.vstation.manager.runner.RunOptions;
import org.vstation.manager.runner.VmLauncher;
import org.vstation.ui.console.ConsoleView;

/**
 * Guest speed with the console open versus headless (issue 10, done-when 3). The guest is
 * {@link FramebufferGuest}: a 1024x768x32 VBE screen rewritten whole between fixed stretches of
 * computation, so every picture the console shows is a full 1024x768 update and every window of N
 * guest instructions is the same work. One machine runs it: after a warm-up number of instructions
 * and an unreported pair, windows of N instructions are timed (wall clock, and CPU time of the VM
 * thread) in pairs, one with the console window shown and one with it hidden (a hidden console asks
 * for no frames), the order alternating; {@link PairedComparison} turns the pairs into a verdict.
 * Fresh machines per run scattered by 20% between identical runs (each machine's blocks make HotSpot
 * compile differently), which hid any console cost. Also prints the frame rate the console kept, how many of its pulses found a
 * new frame, and how much CPU the console's threads took beside the VM thread (2 cores!).
 *
 * <p>With {@code --linux N} it also runs N pairs of the live CD's kernel boot (from instruction
 * 40 M, past SeaBIOS and the boot prompt's idle second) with the ordinary console, as a second,
 * informational line, each run on a fresh machine: the boot's phases differ in speed, so those runs
 * scatter more.
 *
 * <p>Usage: ConsoleBenchmark [--runs N] [--instructions MILLIONS] [--warmup MILLIONS] [--whole-frame] [--linux N]
 */
public final class ConsoleBenchmark {
    static final int WIDTH = 1024;
    static final int HEIGHT = 768;
    private static final String USAGE =
            "usage: ConsoleBenchmark [--runs N] [--instructions MILLIONS] [--warmup MILLIONS] [--whole-frame] [--linux N]";
    private static final Duration FX_TIMEOUT = Duration.ofSeconds(30);
    /** Past SeaBIOS (about 20 M instructions) and the boot prompt's idle second, into the kernel. */
    private static final long LINUX_BUSY_FROM = 40_000_000;
    /** A run that gets no further than this is a stalled guest, not a slow one. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    /** A verdict either way needs the 95 % interval to be at most this wide on either side. */
    static final double NOISE_LIMIT_PERCENT = 5;
    /** A headless VM thread that runs less of the wall time than this shares its core with other work. */
    private static final double BUSY_HOST_PERCENT = 90;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ConsoleBenchmark() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** The guest of a run: how to build its machine and where its measured window starts. */
    private record Guest(String description, Callable<Machine> machine, long warmupInstructions) {
    }

    /**
     * One measured run: guest MIPS per wall second (what the user sees) and per CPU second of the
     * VM thread (what the console costs the VM thread whatever else the host runs); for a console
     * run the pulses, the frames, the pixels shown and the intervals between frames; and the CPU
     * time each group of threads took.
     */
    private record Sample(double mips, double cpuMips, double seconds, long pulses, long frames, long pixels,
            long[] frameIntervalsNanos, Map<String, Long> threadCpuNanos) {
        double fullFramesPerSecond() {
            return pixels / (double) (WIDTH * HEIGHT) / seconds;
        }
    }

    /** Instructions executed, the VM thread and the clocks, read together on the VM thread. */
    private record Mark(long instructions, long vmThread, long cpuNanos, long wallNanos) {
        static Mark take(Machine machine) throws Exception {
            CompletableFuture<Mark> mark = new CompletableFuture<>();
            machine.post(() -> mark.complete(new Mark(machine.processor().instructionCount(),
                    Thread.currentThread().threadId(), THREADS.getCurrentThreadCpuTime(), System.nanoTime())));
            return mark.get(FX_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    public static int run(String[] args, PrintStream out) {
        // Defaults from quiet-host trials: HotSpot settles only after about 2 G instructions of this guest,
        // and 24 pairs of short windows bring the 95% interval of the difference under +-5%.
        int runs = 24;
        long instructions = 125_000_000;
        long warmup = 2_000_000_000;
        int linuxRuns = 0;
        boolean wholeFrame = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--instructions" -> instructions = (long) (Double.parseDouble(args[++i]) * 1e6);
                    case "--warmup" -> warmup = (long) (Double.parseDouble(args[++i]) * 1e6);
                    case "--linux" -> linuxRuns = Integer.parseInt(args[++i]);
                    case "--whole-frame" -> wholeFrame = true;
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
            if (runs < 1 || instructions < 1 || warmup < 0 || linuxRuns < 0) {
                throw new IllegalArgumentException("negative");
            }
        } catch (RuntimeException e) {
            out.println(USAGE);
            return 2;
        }
        FramebufferGuest framebufferGuest;
        try {
            framebufferGuest = FramebufferGuest.assemble(wholeFrame);
        } catch (IOException e) {
            out.println(e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        try {
            Guest steady = new Guest(String.format(Locale.ROOT, "%s (1024x768x32, %s changed between fixed"
                    + " compute stretches), %s instructions a run after %s", FramebufferGuest.SOURCE,
                    wholeFrame ? "every pixel" : "every page of the framebuffer", millions(instructions),
                    millions(warmup)), () -> framebufferGuest.build("console-benchmark"), warmup);
            startPlatform();
            out.println("guest: " + steady.description() + ", on one machine");
            report(out, compareWindows(steady, runs, instructions), true);
            if (linuxRuns > 0) {
                Guest linux = linuxGuest();
                if (linux == null) {
                    out.println("Linux: not measured (needs SeaBIOS and the live CD: ./vstation fetch-firmware,"
                            + " ./vstation build-guest)");
                } else {
                    out.println("informational: " + linux.description() + ", " + millions(instructions)
                            + " instructions a run");
                    report(out, comparePairs(linux, linuxRuns, instructions), false);
                }
            }
            return 0;
        } catch (Exception e) {
            e.printStackTrace(out);
            return 1;
        }
    }

    private static String millions(long instructions) {
        return String.format(Locale.ROOT, "%.0f M", instructions / 1e6);
    }

    private static Guest linuxGuest() throws Exception {
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        Path iso = LiveCdImage.ofUser().path();
        if (!Files.isRegularFile(bios) || !Files.isRegularFile(iso)) {
            return null;
        }
        RunOptions options = RunOptions.parse(List.of("--headless", "--memory", "128", "--iso", iso.toString()), bios);
        return new Guest("the Debian live CD booting, from instruction " + millions(LINUX_BUSY_FROM)
                + ", with the ordinary console", () -> VmLauncher.build("console-benchmark-linux", options),
                LINUX_BUSY_FROM);
    }

    /** The runs of {@link #comparePairs}: run i of each list made a pair. */
    private record Pairs(List<Sample> headless, List<Sample> console) {
    }

    /**
     * On one running machine, after the warm-up and an unreported pair: {@code pairs} pairs of windows of
     * {@code instructions}, the console window shown during one of each pair (the order alternating) and
     * hidden during the other, when it asks the VM thread for no frames. The guest's work per window is
     * the same, and so is the code HotSpot compiled for it, which fresh machines per run do not share.
     */
    private static Pairs compareWindows(Guest guest, int pairs, long instructions) throws Exception {
        Machine machine = guest.machine().call();
        ConsoleView[] console = new ConsoleView[1];
        Stage[] stage = new Stage[1];
        onFx(() -> {
            console[0] = new ConsoleView();
            console[0].attach(machine);
            stage[0] = new Stage();
            stage[0].setScene(new Scene(console[0], WIDTH, HEIGHT));
        });
        try {
            machine.start();
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos() * (pairs + 2);
            awaitInstructions(machine, guest.warmupInstructions(), deadline);
            measureWindow(machine, console[0], stage[0], instructions, false, deadline);
            measureWindow(machine, console[0], stage[0], instructions, true, deadline);
            List<Sample> headless = new ArrayList<>();
            List<Sample> shown = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                boolean consoleFirst = i % 2 == 1;
                (consoleFirst ? shown : headless).add(
                        measureWindow(machine, console[0], stage[0], instructions, consoleFirst, deadline));
                (consoleFirst ? headless : shown).add(
                        measureWindow(machine, console[0], stage[0], instructions, !consoleFirst, deadline));
            }
            return new Pairs(headless, shown);
        } finally {
            onFx(() -> {
                console[0].showPoweredOff("benchmark done");
                stage[0].close();
            });
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Sample measureWindow(Machine machine, ConsoleView console, Stage stage, long instructions,
            boolean withConsole, long deadline) throws Exception {
        FrameClock clock = new FrameClock(console::framesShown, console::pixelsShown);
        Runnable show = () -> {
            stage.show();
            clock.start();
        };
        Runnable hide = () -> {
            clock.stop();
            stage.hide();
        };
        return timeWindow(machine, instructions, deadline, clock, withConsole ? show : null, withConsole ? hide : null);
    }

    /**
     * Times the next {@code instructions} of a running machine (wall clock, the VM thread's CPU, the other
     * threads' CPU); {@code before} and {@code after}, when given, run on the FX thread around the window.
     */
    private static Sample timeWindow(Machine machine, long instructions, long deadline, FrameClock clock,
            Runnable before, Runnable after) throws Exception {
        if (before != null) {
            onFx(before);
        }
        Map<Long, Long> threadsBefore = threadCpuTimes();
        Mark start = Mark.take(machine);
        awaitInstructions(machine, start.instructions() + instructions, deadline);
        Mark end = Mark.take(machine);
        Map<Long, Long> threadsAfter = threadCpuTimes();
        if (after != null) {
            onFx(after);
        }
        long executed = end.instructions() - start.instructions();
        double elapsed = (end.wallNanos() - start.wallNanos()) / 1e9;
        double cpuSeconds = Math.max(1, end.cpuNanos() - start.cpuNanos()) / 1e9;
        return new Sample(executed / elapsed / 1e6, executed / cpuSeconds / 1e6, elapsed, clock.pulses(),
                clock.frames(), clock.pixels(), clock.intervals(),
                groupThreadCpu(threadsBefore, threadsAfter, end.vmThread()));
    }

    /** {@code pairs} pairs of runs, each on a fresh machine, the order within a pair alternating. */
    private static Pairs comparePairs(Guest guest, int pairs, long instructions) throws Exception {
        List<Sample> headless = new ArrayList<>();
        List<Sample> console = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            boolean consoleFirst = i % 2 == 1;
            (consoleFirst ? console : headless).add(measure(guest, instructions, consoleFirst));
            (consoleFirst ? headless : console).add(measure(guest, instructions, !consoleFirst));
        }
        return new Pairs(headless, console);
    }

    private static void report(PrintStream out, Pairs pairs, boolean fullFrames) {
        List<Sample> headless = pairs.headless();
        List<Sample> console = pairs.console();
        double[] h = headless.stream().mapToDouble(Sample::mips).toArray();
        double[] c = console.stream().mapToDouble(Sample::mips).toArray();
        double[] hCpu = headless.stream().mapToDouble(Sample::cpuMips).toArray();
        double[] cCpu = console.stream().mapToDouble(Sample::cpuMips).toArray();
        PairedComparison wall = PairedComparison.of(h, c);
        PairedComparison cpu = PairedComparison.of(hCpu, cCpu);
        out.printf(Locale.ROOT, "%d pairs of runs, interleaved%n", h.length);
        out.printf(Locale.ROOT, "%-10s %12s %14s   %s%n", "", "guest MIPS", "per VM CPU s", "each run (guest MIPS)");
        row(out, "headless", wall.medianA(), cpu.medianA(), h);
        row(out, "console", wall.medianB(), cpu.medianB(), c);
        out.println("(medians; guest MIPS per wall second; per VM CPU s: per second of the VM thread's CPU time)");
        out.println("console vs headless: " + wall.verdict(NOISE_LIMIT_PERCENT));
        // The host's load only ever slows a run down, so on a busy host the fastest runs are the
        // least disturbed ones: a rough second opinion when the verdict above is "too noisy".
        double bestHeadless = Arrays.stream(h).max().orElse(0);
        double bestConsole = Arrays.stream(c).max().orElse(0);
        out.printf(Locale.ROOT, "fastest runs: headless %.1f, console %.1f guest MIPS (%+.1f%%)%n", bestHeadless,
                bestConsole, 100 * (bestConsole / bestHeadless - 1));
        out.println("per VM-thread CPU second: " + cpu.verdict(NOISE_LIMIT_PERCENT));
        long[] intervals = console.stream().flatMapToLong(sample -> Arrays.stream(sample.frameIntervalsNanos()))
                .sorted().toArray();
        double consoleSeconds = console.stream().mapToDouble(Sample::seconds).sum();
        long frames = console.stream().mapToLong(Sample::frames).sum();
        long pulses = console.stream().mapToLong(Sample::pulses).sum();
        if (fullFrames) {
            double fullFps = console.stream().mapToDouble(Sample::fullFramesPerSecond).average().orElse(0);
            out.printf(Locale.ROOT, "console: %.1f fps of full %dx%d frames", fullFps, WIDTH, HEIGHT);
        } else {
            out.printf(Locale.ROOT, "console: %.1f fps", frames / consoleSeconds);
        }
        if (intervals.length > 0) {
            out.printf(Locale.ROOT, "; frame interval median %.1f ms, 95th percentile %.1f ms, longest %.1f ms",
                    percentile(intervals, 50), percentile(intervals, 95), intervals[intervals.length - 1] / 1e6);
        }
        out.println();
        // JavaFX pulses at up to 60 Hz; a console that keeps up shows a new frame on (almost) every pulse
        // it gets, so a low frame rate with a high share here means the FX thread got few pulses (host load).
        out.printf(Locale.ROOT, "pulses: %.1f per second; a new frame on %.0f%% of them%n", pulses / consoleSeconds,
                pulses == 0 ? 0 : 100.0 * frames / pulses);
        out.println("CPU beside the VM thread, in % of one core: headless " + otherThreads(headless)
                + "; console " + otherThreads(console));
        double headlessOnCpu = 100 * PairedComparison.median(ratios(h, hCpu));
        double consoleOnCpu = 100 * PairedComparison.median(ratios(c, cCpu));
        out.printf(Locale.ROOT, "VM thread on a CPU: %.0f%% of the wall time headless, %.0f%% with the console%s%n",
                headlessOnCpu, consoleOnCpu, headlessOnCpu >= BUSY_HOST_PERCENT ? ""
                        : " (a busy host: the kernel shares the cores out by session, so the console's threads take"
                        + " their CPU from the guest's share and only an idle host can show the wall-clock verdict;"
                        + " per VM-thread CPU second still shows what the console costs the VM thread itself)");
    }

    /** Guest MIPS per wall second over per VM-thread CPU second: the share of the wall time the VM thread ran. */
    private static double[] ratios(double[] perWallSecond, double[] perCpuSecond) {
        double[] ratios = new double[perWallSecond.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = perWallSecond[i] / perCpuSecond[i];
        }
        return ratios;
    }

    /** The CPU the threads other than the VM thread took during the runs, by group, busiest first. */
    private static String otherThreads(List<Sample> samples) {
        double seconds = samples.stream().mapToDouble(Sample::seconds).sum();
        Map<String, Long> total = new HashMap<>();
        samples.forEach(sample -> sample.threadCpuNanos().forEach((group, nanos) -> total.merge(group, nanos, Long::sum)));
        total.remove(VM_THREAD);
        return total.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(entry -> String.format(Locale.ROOT, "%s %.1f", entry.getKey(), entry.getValue() / 1e7 / seconds))
                .collect(Collectors.joining(", "));
    }

    private static void row(PrintStream out, String name, double mips, double cpuMips, double[] each) {
        out.printf(Locale.ROOT, "%-10s %12.1f %14.1f   %s%n", name, mips, cpuMips, Arrays.stream(each)
                .mapToObj(value -> String.format(Locale.ROOT, "%.1f", value)).collect(Collectors.joining(" ")));
    }

    /** In milliseconds, nearest rank. */
    private static double percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** One run: a fresh machine, warm-up instructions, then the timed window of {@code instructions}. */
    private static Sample measure(Guest guest, long instructions, boolean withConsole) throws Exception {
        Machine machine = guest.machine().call();
        ConsoleView[] console = new ConsoleView[1];
        Stage[] stage = new Stage[1];
        FrameClock clock = new FrameClock(() -> console[0].framesShown(), () -> console[0].pixelsShown());
        if (withConsole) {
            onFx(() -> {
                console[0] = new ConsoleView();
                console[0].attach(machine);
                stage[0] = new Stage();
                stage[0].setScene(new Scene(console[0], WIDTH, HEIGHT));
                stage[0].show();
            });
        }
        try {
            machine.start();
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            awaitInstructions(machine, guest.warmupInstructions(), deadline);
            return timeWindow(machine, instructions, deadline, clock, withConsole ? clock::start : null,
                    withConsole ? clock::stop : null);
        } finally {
            if (withConsole) {
                onFx(() -> {
                    console[0].showPoweredOff("benchmark done");
                    stage[0].close();
                });
            }
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitInstructions(Machine machine, long count, long deadline) throws InterruptedException {
        while (machine.processor().instructionCount() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the guest stalled at instruction " + machine.processor()
                        .instructionCount() + " on its way to " + count + ": " + machine.state());
            }
            Thread.sleep(2);
        }
    }

    private static final String VM_THREAD = "VM";
    /** Not a thread id (ids are positive): the whole process in {@link #threadCpuTimes()}. */
    private static final long PROCESS = -1;

    /** CPU time of every Java thread by id, and of the whole process under {@link #PROCESS}. */
    private static Map<Long, Long> threadCpuTimes() {
        Map<Long, Long> times = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            times.put(id, THREADS.getThreadCpuTime(id));
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            times.put(PROCESS, os.getProcessCpuTime());
        }
        return times;
    }

    /**
     * CPU time per group of threads between two snapshots: the VM thread, JavaFX's two threads, other
     * Java threads, and the JVM's own threads (garbage collector, JIT compilers: the process's CPU
     * time beyond its Java threads').
     */
    private static Map<String, Long> groupThreadCpu(Map<Long, Long> before, Map<Long, Long> after, long vmThread) {
        Map<Long, String> names = new HashMap<>();
        for (var info : THREADS.getThreadInfo(after.keySet().stream().mapToLong(Long::longValue).filter(id -> id != PROCESS).toArray())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        Map<String, Long> groups = new HashMap<>();
        long[] javaThreads = new long[1];
        after.forEach((id, nanos) -> {
            long spent = nanos - before.getOrDefault(id, 0L);
            if (id == PROCESS || nanos < 0 || spent <= 0) {
                return;
            }
            javaThreads[0] += spent;
            String name = names.getOrDefault(id, "");
            String group = id == vmThread ? VM_THREAD
                    : name.equals("JavaFX Application Thread") ? "FX application thread"
                    : name.startsWith("QuantumRenderer") ? "Prism renderer" : "other";
            groups.merge(group, spent, Long::sum);
        });
        if (after.containsKey(PROCESS) && before.containsKey(PROCESS)) {
            groups.put("GC and JIT", Math.max(0, after.get(PROCESS) - before.get(PROCESS) - javaThreads[0]));
        }
        return groups;
    }

    /**
     * Notes on every pulse whether the console showed a new frame since the previous pulse, and
     * the time since the frame before: the frame pacing as the screen would show it.
     */
    private static final class FrameClock extends AnimationTimer {
        private final LongSupplier framesShown;
        private final LongSupplier pixelsShown;
        private long[] intervals = new long[256];
        private int count;
        private long frames;
        private long pulses;
        private long lastFrames;
        private long firstPixels;
        private long pixels;
        private long lastFrameTime;

        FrameClock(LongSupplier framesShown, LongSupplier pixelsShown) {
            this.framesShown = framesShown;
            this.pixelsShown = pixelsShown;
        }

        @Override
        public synchronized void start() {
            lastFrames = framesShown.getAsLong();
            firstPixels = pixelsShown.getAsLong();
            lastFrameTime = 0;
            super.start();
        }

        @Override
        public synchronized void stop() {
            super.stop();
            pixels = pixelsShown.getAsLong() - firstPixels;
        }

        @Override
        public synchronized void handle(long now) {
            pulses++;
            long shown = framesShown.getAsLong();
            if (shown == lastFrames) {
                return;
            }
            lastFrames = shown;
            frames++;
            if (lastFrameTime != 0) {
                if (count == intervals.length) {
                    intervals = Arrays.copyOf(intervals, count * 2);
                }
                intervals[count++] = now - lastFrameTime;
            }
            lastFrameTime = now;
        }

        synchronized long pulses() {
            return pulses;
        }

        /** Pulses that found a new frame. */
        synchronized long frames() {
            return frames;
        }

        /** Pixels the console updated between start and stop. */
        synchronized long pixels() {
            return pixels;
        }

        synchronized long[] intervals() {
            return Arrays.copyOf(intervals, count);
        }
    }

    private static void startPlatform() {
        if (System.getProperty("glass.platform") == null && System.getenv("DISPLAY") == null) {
            System.setProperty("glass.platform", "Headless");
        }
        FxThread.startPlatform();
    }

    private static void onFx(Runnable step) throws Exception {
        FxThread.call(() -> {
            step.run();
            return null;
        }, FX_TIMEOUT);
    }
}
