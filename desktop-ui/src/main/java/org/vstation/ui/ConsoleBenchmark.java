package org.vstation.ui;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
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
 * or SeaBIOS alone without it) runs for a fixed time twice: once with no console, once with a
 * console that receives a full 1024x768 frame on every pulse (the guest's rendered screen drawn
 * into a 1024x768 picture marked all dirty, so every frame is copied and uploaded whole: the
 * worst case of a guest repainting its whole SVGA screen at 60 fps). Prints guest MIPS of both
 * runs side by side and the frame rate the console kept. A first, unreported run warms the JIT.
 *
 * <p>Usage: ConsoleBenchmark [--seconds N] [--no-iso]
 */
public final class ConsoleBenchmark {
    static final int WIDTH = 1024;
    static final int HEIGHT = 768;
    /** Past SeaBIOS (about 20 M instructions) and the boot prompt's idle second, into the kernel. */
    private static final long BUSY_FROM_INSTRUCTION = 40_000_000;

    private ConsoleBenchmark() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    public static int run(String[] args, PrintStream out) {
        int seconds = 10;
        boolean useIso = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--no-iso" -> useIso = false;
                default -> {
                    out.println("usage: ConsoleBenchmark [--seconds N] [--no-iso]");
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
            guest = "the Debian live CD booting";
        }
        try {
            RunOptions runOptions = RunOptions.parse(options, bios);
            startPlatform();
            measure(runOptions, seconds, null); // warm-up: the first run pays for HotSpot compiling the interpreter
            double headless = measure(runOptions, seconds, null);
            long[] frames = new long[1];
            double withConsole = measure(runOptions, seconds, frames);
            double fps = frames[0] / (double) seconds;
            out.printf(Locale.ROOT, "guest: %s, %d s per run%n", guest, seconds);
            out.printf(Locale.ROOT, "%-32s %10s%n", "run", "guest MIPS");
            out.printf(Locale.ROOT, "%-32s %10.1f%n", "headless", headless);
            out.printf(Locale.ROOT, "%-32s %10.1f%n", "console, full 1024x768 frames", withConsole);
            out.printf(Locale.ROOT, "console: %.1f fps of full %dx%d frames; guest speed %.1f%% of headless%n",
                    fps, WIDTH, HEIGHT, 100 * withConsole / headless);
            return 0;
        } catch (UsageException e) {
            out.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            e.printStackTrace(out);
            return 1;
        }
    }

    /** Guest MIPS over {@code seconds}; with {@code frames} non-null a console is open and its frame count lands there. */
    private static double measure(RunOptions options, int seconds, long[] frames) throws Exception {
        Machine machine = VmLauncher.build("benchmark", options);
        ConsoleView[] console = new ConsoleView[1];
        Stage[] stage = new Stage[1];
        if (frames != null) {
            Framebuffer full = new Framebuffer(WIDTH, HEIGHT);
            onFxDo(() -> {
                console[0] = new ConsoleView();
                console[0].attach(machine, sink -> machine.refreshScreen(screen -> {
                    int rows = Math.min(screen.height(), HEIGHT);
                    int columns = Math.min(screen.width(), WIDTH);
                    for (int y = 0; y < rows; y++) {
                        System.arraycopy(screen.pixels(), y * screen.width(), full.pixels(), y * WIDTH, columns);
                    }
                    full.markAllDirty();
                    sink.accept(full);
                }));
                stage[0] = new Stage();
                stage[0].setScene(new Scene(console[0], WIDTH, HEIGHT));
                stage[0].show();
            });
        }
        machine.start();
        long startFrames = 0;
        awaitBusyGuest(machine);
        long startCount = machine.processor().instructionCount();
        if (frames != null) {
            startFrames = onFx(() -> console[0].framesShown());
        }
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long instructions = machine.processor().instructionCount() - startCount;
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (frames != null) {
            frames[0] = onFx(() -> console[0].framesShown()) - startFrames;
            onFxDo(() -> {
                console[0].showPoweredOff("benchmark done");
                stage[0].close();
            });
        }
        machine.powerOff();
        machine.awaitTermination(10, TimeUnit.SECONDS);
        return instructions / elapsed / 1e6;
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
        CompletableFuture<Void> ready = new CompletableFuture<>();
        try {
            Platform.startup(() -> ready.complete(null));
        } catch (IllegalStateException alreadyRunning) {
            ready.complete(null);
        }
        ready.join();
        Platform.setImplicitExit(false);
    }

    private static void onFxDo(Runnable step) throws Exception {
        onFx(() -> {
            step.run();
            return null;
        });
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> step) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(step.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }
}
