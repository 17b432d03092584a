package org.vstation.ui;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javafx.animation.AnimationTimer;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.vstation.devices.Machine;
import org.vstation.devices.display.Framebuffer;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.LiveCdImage;
import org.vstation.manager.runner.RunOptions;
import org.vstation.manager.runner.UsageException;
import org.vstation.manager.runner.VmLauncher;
import org.vstation.ui.console.ConsoleView;

/**
 * Guest speed with the console open versus headless. The same guest (the Debian live CD booting,
 * or SeaBIOS alone without it) runs for a fixed time, several times each way, interleaved so that
 * a change in the host's load hits both alike: with no console, and with a console that receives
 * a full 1024x768 frame on every pulse (the guest's rendered screen drawn into a 1024x768 picture
 * marked all dirty, so every frame is staged, copied and uploaded whole: the worst case of a guest
 * repainting its whole SVGA screen at 60 fps). Prints guest MIPS of every run, the means side by
 * side, the run-to-run spread, whether the difference stands out of that spread, and the frame
 * rate and frame intervals the console kept. A first, unreported run warms the JIT.
 *
 * <p>Usage: ConsoleBenchmark [--seconds N] [--runs N] [--no-iso]
 */
public final class ConsoleBenchmark {
    private static final Duration FX_TIMEOUT = Duration.ofSeconds(30);
    static final int WIDTH = 1024;
    static final int HEIGHT = 768;
    /** Past SeaBIOS (about 20 M instructions) and the boot prompt's idle second, into the kernel. */
    private static final long BUSY_FROM_INSTRUCTION = 40_000_000;

    private ConsoleBenchmark() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Above this the runs scatter too much for a verdict either way. */
    private static final double NOISE_LIMIT_PERCENT = 10;

    /**
     * One measured run: guest MIPS per wall second (what the user sees) and per CPU second of the
     * VM thread (what the console's rendering and staging cost the VM thread, whatever else the
     * host runs), and for a console run the frames shown and the intervals between them.
     */
    private record Sample(double mips, double cpuMips, double seconds, long frames, long pulses,
            long[] frameIntervalsNanos) {
        double fps() {
            return frames / seconds;
        }
    }

    /** Instructions executed and the VM thread's CPU time, read together on the VM thread. */
    private record Mark(long instructions, long cpuNanos, long wallNanos) {
        static Mark take(Machine machine) throws Exception {
            CompletableFuture<Mark> mark = new CompletableFuture<>();
            machine.post(() -> mark.complete(new Mark(machine.processor().instructionCount(),
                    ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(), System.nanoTime())));
            return mark.get(30, TimeUnit.SECONDS);
        }
    }

    public static int run(String[] args, PrintStream out) {
        int seconds = 10;
        int runs = 3;
        boolean useIso = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--no-iso" -> useIso = false;
                default -> {
                    out.println("usage: ConsoleBenchmark [--seconds N] [--runs N] [--no-iso]");
                    return 2;
                }
            }
        }
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        if (!Files.isRegularFile(bios)) {
            out.println("no SeaBIOS at " + bios + "; run ./vstation fetch-firmware");
            return 2;
        }
        List<String> options = new ArrayList<>(List.of("--headless", "--memory", "128"));
        Path iso = LiveCdImage.ofUser().path();
        String guest = "SeaBIOS without boot media";
        if (useIso && Files.isRegularFile(iso)) {
            options.addAll(List.of("--iso", iso.toString()));
            guest = "the Debian live CD booting, from instruction " + BUSY_FROM_INSTRUCTION;
        }
        try {
            RunOptions runOptions = RunOptions.parse(options, bios);
            startPlatform();
            measure(runOptions, seconds, false); // warm-up: the first run pays for HotSpot compiling the interpreter
            List<Sample> headless = new ArrayList<>();
            List<Sample> console = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                // Alternate which goes first, so a steady drift in the host's load favours neither.
                boolean consoleFirst = i % 2 == 1;
                (consoleFirst ? console : headless).add(measure(runOptions, seconds, consoleFirst));
                (consoleFirst ? headless : console).add(measure(runOptions, seconds, !consoleFirst));
            }
            report(out, guest, seconds, headless, console);
            return 0;
        } catch (UsageException e) {
            out.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            e.printStackTrace(out);
            return 1;
        }
    }

    private static void report(PrintStream out, String guest, int seconds, List<Sample> headless, List<Sample> console) {
        int runs = headless.size();
        out.printf(Locale.ROOT, "guest: %s; %d s per run, %d runs each way, interleaved, after a warm-up run%n",
                guest, seconds, runs);
        double[] h = headless.stream().mapToDouble(Sample::mips).toArray();
        double[] c = console.stream().mapToDouble(Sample::mips).toArray();
        double[] hCpu = headless.stream().mapToDouble(Sample::cpuMips).toArray();
        double[] cCpu = console.stream().mapToDouble(Sample::cpuMips).toArray();
        out.printf(Locale.ROOT, "%-32s %10s %7s %10s %7s   %s%n", "run", "guest MIPS", "stdev", "per CPU s",
                "stdev", "each run (guest MIPS)");
        row(out, "headless", h, hCpu);
        row(out, "console, full 1024x768 frames", c, cCpu);
        out.println("(guest MIPS: per wall second; per CPU s: per second of the VM thread's CPU time)");
        double difference = percentDifference(h, c);
        double cpuDifference = percentDifference(hCpu, cCpu);
        if (runs < 2) {
            out.printf(Locale.ROOT, "console vs headless: %+.1f%% (per CPU s %+.1f%%); one run each way gives no"
                    + " run-to-run noise to compare with: use --runs 3 or more%n", difference, cpuDifference);
        } else {
            out.printf(Locale.ROOT, "run-to-run spread of headless runs: %.1f%% (stdev), %.1f%% (max-min);"
                    + " per CPU s %.1f%% (stdev)%n", 100 * Math.sqrt(variance(h)) / mean(h),
                    100 * (max(h) - min(h)) / mean(h), 100 * Math.sqrt(variance(hCpu)) / mean(hCpu));
            double noise = noisePercent(h, c);
            String verdict = noise > NOISE_LIMIT_PERCENT
                    ? "the host is too noisy to tell (noise above " + (int) NOISE_LIMIT_PERCENT + "%): rerun when it is quieter"
                    : difference >= -noise ? "not measurably slower" : "measurably slower";
            out.printf(Locale.ROOT, "console vs headless: %+.1f%%, noise (2 standard errors) %.1f%%;"
                    + " per CPU s %+.1f%%, noise %.1f%%: %s%n", difference, noise, cpuDifference,
                    noisePercent(hCpu, cCpu), verdict);
        }
        long[] intervals = console.stream().flatMapToLong(sample -> Arrays.stream(sample.frameIntervalsNanos()))
                .sorted().toArray();
        double fps = console.stream().mapToDouble(Sample::fps).average().orElse(0);
        out.printf(Locale.ROOT, "console: %.1f fps of full %dx%d frames", fps, WIDTH, HEIGHT);
        if (intervals.length > 0) {
            out.printf(Locale.ROOT, "; frame interval median %.1f ms, 95th percentile %.1f ms, longest %.1f ms",
                    percentile(intervals, 50), percentile(intervals, 95), intervals[intervals.length - 1] / 1e6);
        }
        out.println();
        // JavaFX pulses at up to 60 Hz; a console that keeps up shows a new frame on (almost) every pulse
        // it gets, so a low frame rate with a high share here means the FX thread got few pulses (host load).
        long frames = console.stream().mapToLong(Sample::frames).sum();
        long pulses = console.stream().mapToLong(Sample::pulses).sum();
        double consoleSeconds = console.stream().mapToDouble(Sample::seconds).sum();
        out.printf(Locale.ROOT, "pulses: %.1f per second; a new full frame on %.0f%% of them%n", pulses / consoleSeconds,
                pulses == 0 ? 0 : 100.0 * frames / pulses);
    }

    private static double percentDifference(double[] headless, double[] console) {
        return 100 * (mean(console) - mean(headless)) / mean(headless);
    }

    /**
     * Two standard errors of the difference of the means, in percent of the headless mean: how far
     * apart two sets of runs of the same configuration land by chance (about 95 % of the time) at
     * this host's run-to-run noise.
     */
    private static double noisePercent(double[] headless, double[] console) {
        return 200 * Math.sqrt(variance(headless) / headless.length + variance(console) / console.length)
                / mean(headless);
    }

    private static void row(PrintStream out, String name, double[] mips, double[] cpuMips) {
        String each = Arrays.stream(mips).mapToObj(value -> String.format(Locale.ROOT, "%.1f", value))
                .collect(Collectors.joining(" "));
        out.printf(Locale.ROOT, "%-32s %10.1f %7s %10.1f %7s   %s%n", name, mean(mips), stdev(mips), mean(cpuMips),
                stdev(cpuMips), each);
    }

    private static String stdev(double[] values) {
        return values.length < 2 ? "-" : String.format(Locale.ROOT, "%.1f", Math.sqrt(variance(values)));
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    /** Sample variance (n - 1). */
    private static double variance(double[] values) {
        double mean = mean(values);
        return Arrays.stream(values).map(value -> (value - mean) * (value - mean)).sum() / (values.length - 1);
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    /** In milliseconds, nearest rank. */
    private static double percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** Guest MIPS over {@code seconds} of the busy stretch, with or without an open console. */
    private static Sample measure(RunOptions options, int seconds, boolean withConsole) throws Exception {
        Machine machine = VmLauncher.build("benchmark", options);
        ConsoleView[] console = new ConsoleView[1];
        Stage[] stage = new Stage[1];
        FrameClock clock = new FrameClock(() -> console[0].framesShown());
        if (withConsole) {
            Framebuffer full = new Framebuffer(WIDTH, HEIGHT);
            onFxDo(() -> {
                console[0] = new ConsoleView();
                console[0].attach(machine, sink -> machine.refreshScreen(screen -> {
                    copyChangedRows(screen, full);
                    full.markAllDirty();
                    sink.accept(full);
                }));
                stage[0] = new Stage();
                stage[0].setScene(new Scene(console[0], WIDTH, HEIGHT));
                stage[0].show();
            });
        }
        machine.start();
        awaitBusyGuest(machine);
        if (withConsole) {
            onFxDo(clock::start);
        }
        Mark start = Mark.take(machine);
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        Mark end = Mark.take(machine);
        long instructions = end.instructions() - start.instructions();
        double elapsed = (end.wallNanos() - start.wallNanos()) / 1e9;
        double cpuSeconds = Math.max(1, end.cpuNanos() - start.cpuNanos()) / 1e9;
        if (withConsole) {
            onFxDo(() -> {
                clock.stop();
                console[0].showPoweredOff("benchmark done");
                stage[0].close();
            });
        }
        machine.powerOff();
        machine.awaitTermination(10, TimeUnit.SECONDS);
        return new Sample(instructions / elapsed / 1e6, instructions / cpuSeconds / 1e6, elapsed, clock.frames(),
                clock.pulses(), clock.intervals());
    }

    /** The guest's own picture into the top left of the 1024x768 one: only its changed rows (VM thread). */
    private static void copyChangedRows(Framebuffer screen, Framebuffer full) {
        if (!screen.isDirty()) {
            return;
        }
        int columns = Math.min(screen.width(), WIDTH);
        int bottom = Math.min(screen.dirtyY() + screen.dirtyHeight(), HEIGHT);
        for (int y = screen.dirtyY(); y < bottom; y++) {
            System.arraycopy(screen.pixels(), y * screen.width(), full.pixels(), y * WIDTH, columns);
        }
    }

    /**
     * Notes on every pulse whether the console showed a new frame since the previous pulse, and
     * the time since the frame before: the frame pacing as the screen would show it.
     */
    private static final class FrameClock extends AnimationTimer {
        private final LongSupplier framesShown;
        private long[] intervals = new long[256];
        private int count;
        private long frames;
        private long pulses;
        private long lastFrames;
        private long lastFrameTime;

        FrameClock(LongSupplier framesShown) {
            this.framesShown = framesShown;
        }

        @Override
        public synchronized void start() {
            lastFrames = framesShown.getAsLong();
            lastFrameTime = 0;
            super.start();
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

        synchronized long[] intervals() {
            return Arrays.copyOf(intervals, count);
        }
    }

    /**
     * Waits until the guest is past SeaBIOS and ISOLINUX's one-second boot prompt, where it halts
     * and executes almost nothing, so that both runs measure the same CPU-bound stretch (the
     * kernel unpacking itself and booting).
     */
    private static void awaitBusyGuest(Machine machine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (machine.processor().instructionCount() < BUSY_FROM_INSTRUCTION && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static void startPlatform() {
        if (System.getProperty("glass.platform") == null && System.getenv("DISPLAY") == null) {
            System.setProperty("glass.platform", "Headless");
        }
        FxThread.startPlatform();
    }

    private static void onFxDo(Runnable step) throws Exception {
        onFx(() -> {
            step.run();
            return null;
        });
    }

    private static <T> T onFx(Callable<T> step) throws Exception {
        return FxThread.call(step, FX_TIMEOUT);
    }
}
