package org.vstation.manager.runner;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineState;
import org.vstation.devices.display.PngWriter;
import org.vstation.manager.images.FirmwareCache;

/**
 * {@code vstation run --headless …}: powers on a machine without a window,
 * streams its serial port and debug console, and ends on a text, a timeout or
 * the guest powering off; with {@code --monitor} it takes CD/DVD media
 * commands on standard input meanwhile. Exit codes: 0 done (text seen or guest powered
 * off), 1 emulator failure, 2 usage error, 3 timeout.
 */
public final class HeadlessRunCommand {
    public static final int EXIT_OK = 0;
    public static final int EXIT_EMULATOR_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_TIMEOUT = 3;

    private HeadlessRunCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        RunOptions options;
        try {
            options = RunOptions.parse(args, defaultBios());
        } catch (UsageException e) {
            err.println("vstation run: " + e.getMessage());
            return EXIT_USAGE;
        }
        try {
            return run(options, out, err);
        } catch (UsageException e) {
            err.println("vstation run: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("vstation run: " + e.getMessage());
            return EXIT_EMULATOR_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("vstation run: interrupted");
            return EXIT_EMULATOR_FAILURE;
        }
    }

    /** The fetched SeaBIOS in the firmware cache. */
    static Path defaultBios() {
        return FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
    }

    static int run(RunOptions options, PrintStream out, PrintStream err)
            throws UsageException, IOException, InterruptedException {
        Machine machine = VmLauncher.build("headless", options);
        TextWatch serialWatch = new TextWatch(options.until());
        TextWatch debugWatch = new TextWatch(options.until());
        try (OutputStream serialSink = sink(options.serial(), options.serialToStdout(), out);
             OutputStream debugSink = sink(options.debugcon(), options.debugconToStdout(), out)) {
            machine.addSerialListener(streamTo(serialSink, serialWatch, machine));
            machine.addDebugConsoleListener(streamTo(debugSink, debugWatch, machine));

            long startNanos = System.nanoTime();
            machine.start();
            if (options.monitor()) {
                new MediaMonitor(machine).start(
                        new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())), err);
            }
            long timeoutMillis = options.timeout() == null ? Long.MAX_VALUE : options.timeout().toMillis();
            boolean ended = machine.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
            if (!ended) {
                String where = machine.processor().describeState();
                machine.powerOff();
                machine.awaitTermination(5, TimeUnit.SECONDS);
                if (options.screenshot() != null) {
                    PngWriter.write(machine.finalScreen(), options.screenshot());
                }
                err.println("vstation run: timeout after " + options.timeout().toSeconds() + " s"
                        + (options.until() == null ? "" : " waiting for '" + options.until() + "'")
                        + "; CPU at " + where
                        + "; last serial output: \"" + serialWatch.tail() + "\""
                        + "; last debug console output: \"" + debugWatch.tail() + "\"");
                printSummary(machine, startNanos, err);
                return EXIT_TIMEOUT;
            }
            printSummary(machine, startNanos, err);
            if (machine.state() == MachineState.ERROR) {
                err.println("vstation run: " + machine.errorMessage());
                return EXIT_EMULATOR_FAILURE;
            }
            if (options.screenshot() != null) {
                PngWriter.write(machine.finalScreen(), options.screenshot());
            }
            return EXIT_OK;
        }
    }

    private static OutputStream sink(Path file, boolean toStdout, PrintStream out) throws IOException {
        if (toStdout) {
            return new OutputStream() {
                @Override public void write(int b) { out.write(b); }
                @Override public void flush() { out.flush(); }
                @Override public void close() { out.flush(); }
            };
        }
        if (file == null) {
            return OutputStream.nullOutputStream();
        }
        return new BufferedOutputStream(Files.newOutputStream(file));
    }

    private static IntConsumer streamTo(OutputStream sink, TextWatch watch, Machine machine) {
        return b -> {
            try {
                sink.write(b);
                if (b == '\n') sink.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("writing guest output", e);
            }
            if (watch.accept(b)) {
                machine.requestPowerOffFromVmThread();
            }
        };
    }

    private static void printSummary(Machine machine, long startNanos, PrintStream err) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long instructions = machine.processor().instructionCount();
        err.printf(Locale.ROOT, "vstation run: %,d guest instructions in %.2f s (%.1f MIPS)%n",
                instructions, seconds, instructions / seconds / 1e6);
    }
}
