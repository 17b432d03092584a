package org.vstation.ui;

import atlantafx.base.theme.PrimerLight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.prefs.Preferences;
import javafx.application.Application;
import javafx.scene.control.Dialog;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.vstation.devices.Machine;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.PngWriter;
import org.vstation.devices.vga.render.VgaRenderer;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.LiveCdImage;
import org.vstation.manager.library.NewVm;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.runner.VmRuntime;
import org.vstation.ui.console.ConsoleView;
import org.vstation.ui.library.MainWindow;
import org.vstation.ui.settings.SettingsDialog;
import org.vstation.ui.wizard.NewVmWizard;

/**
 * Takes the user guide's screenshots (docs/screenshots/take-screenshots.sh runs it under Xvfb):
 * the main window, the wizard, the network settings page, and the console of the demo VM showing
 * SeaBIOS and then the booted Debian live CD's shell. Uses a scratch library and preferences,
 * never the user's.
 *
 * <p>Arguments: OUTPUT_DIR SCRATCH_LIBRARY [BOOT_SECONDS]
 */
public final class ScreenshotTour {
    private static final String PROMPT = "vstation:/# ";

    private ScreenshotTour() {
    }

    public static void main(String[] args) {
        Application.launch(Tour.class, args);
    }

    /** The tour as a JavaFX application; the launcher's main class must not extend Application on the class path. */
    public static final class Tour extends Application {
        @Override
        public void start(Stage stage) {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            List<String> args = getParameters().getRaw();
            Thread.ofPlatform().name("screenshot-tour").start(() -> {
                int exit = 0;
                try {
                    tour(stage, args);
                } catch (Exception e) {
                    e.printStackTrace();
                    exit = 1;
                }
                System.exit(exit);
            });
        }
    }

    private static void tour(Stage stage, List<String> args) throws Exception {
        Path output = Path.of(args.get(0));
        Path libraryFolder = Path.of(args.get(1));
        int bootSeconds = args.size() > 2 ? Integer.parseInt(args.get(2)) : 1800;
        Files.createDirectories(output);
        VmLibrary library = VmLibrary.open(libraryFolder, false);
        Path iso = LiveCdImage.ofUser().verified();
        VmEntry demo = library.create(NewVm.withDefaults(MainWindow.DEMO_VM_NAME).withGuestOs(GuestOs.LINUX)
                .withMemoryMb(128).withDiskSizeBytes(0).withIso(iso));
        library.create(NewVm.withDefaults("Windows 98 lab").withGuestOs(GuestOs.WINDOWS).withMemoryMb(128)
                .withDiskSizeBytes(2L << 30).withNicMode(NicMode.HOST_ONLY));
        library.create(NewVm.withDefaults("FreeDOS").withGuestOs(GuestOs.DOS).withMemoryMb(32)
                .withDiskSizeBytes(512L << 20));
        VmRuntime runtime = new VmRuntime(library, FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS));
        Preferences scratch = Preferences.userRoot().node("org/vstation/ui-screenshots");
        MainWindow window = fx(() -> {
            scratch.clear();
            MainWindow created = new MainWindow(stage, runtime, new AppPreferences(scratch));
            stage.setWidth(1200);
            stage.setHeight(760);
            created.select(demo.folder());
            stage.show();
            return created;
        });
        Thread.sleep(1500);
        save(fx(() -> stage.getScene().snapshot(null)), output.resolve("main-window.png"));

        Dialog<?> wizardDialog = fx(() -> {
            NewVmWizard wizard = new NewVmWizard(library);
            Dialog<VmEntry> dialog = wizard.dialog(stage);
            wizard.nameField().setText("Debian 12");
            wizard.next();
            wizard.memoryField().setValue(512);
            dialog.show();
            return dialog;
        });
        Thread.sleep(1000);
        save(fx(() -> wizardDialog.getDialogPane().getScene().snapshot(null)), output.resolve("wizard.png"));
        fx(() -> {
            wizardDialog.close();
            return null;
        });

        Dialog<?> settingsDialog = fx(() -> {
            SettingsDialog settings = new SettingsDialog(library, library.find(MainWindow.DEMO_VM_NAME), null);
            settings.tabs().getSelectionModel().select(SettingsDialog.TABS.indexOf("Network"));
            Dialog<VmEntry> dialog = settings.dialog(stage, Throwable::printStackTrace);
            dialog.show();
            return dialog;
        });
        Thread.sleep(1000);
        save(fx(() -> settingsDialog.getDialogPane().getScene().snapshot(null)), output.resolve("settings-network.png"));
        fx(() -> {
            settingsDialog.close();
            return null;
        });

        ConsoleView console = fx(() -> {
            window.powerOn();
            return window.console(demo.folder()).orElseThrow().console();
        });
        await(120, () -> console.image() != null && console.framesShown() > 5);
        Thread.sleep(1500);
        save(fx(() -> stage.getScene().snapshot(null)), output.resolve("console-seabios.png"));
        Machine machine = runtime.active(demo.folder()).orElseThrow().machine();
        boolean booted = waitForPrompt(machine, demo.folder().resolve("serial.log"), bootSeconds);
        if (booted) {
            Thread.sleep(2000); // a few frames, so the console shows the prompt too
            save(fx(() -> stage.getScene().snapshot(null)), output.resolve("console-linux.png"));
        }
        fx(() -> window.requestClose(running -> true));
        scratch.removeNode();
        if (!booted) {
            throw new IllegalStateException("the guest did not reach its shell in " + bootSeconds
                    + " s; console-linux.png was not taken (pass a longer BOOT_SECONDS)");
        }
    }

    /**
     * Waits until the guest's VGA text screen shows the shell prompt (the live CD starts a shell
     * on tty1 as well as on COM1), printing the serial console's latest line every half minute so
     * a slow boot shows its progress.
     */
    private static boolean waitForPrompt(Machine machine, Path serial, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long nextProgress = 0;
        while (System.nanoTime() < deadline) {
            CompletableFuture<List<String>> lines = new CompletableFuture<>();
            machine.post(() -> lines.complete(new VgaRenderer(machine.vga()).textLines()));
            // textLines() drops trailing blanks, and with them the prompt's final space.
            if (lines.get(60, TimeUnit.SECONDS).stream().anyMatch(line -> line.contains(PROMPT.strip()))) {
                return true;
            }
            if (System.nanoTime() > nextProgress && Files.exists(serial)) {
                List<String> log = Files.readAllLines(serial, StandardCharsets.ISO_8859_1);
                System.out.println("booting: " + (log.isEmpty() ? "" : log.getLast().strip()));
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            }
            Thread.sleep(1000);
        }
        return false;
    }

    private static void await(int seconds, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!fx(condition::getAsBoolean)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s");
            }
            Thread.sleep(250);
        }
    }

    private static void save(WritableImage image, Path file) throws IOException {
        int width = (int) image.getWidth();
        int height = (int) image.getHeight();
        Framebuffer picture = new Framebuffer(width, height);
        image.getPixelReader().getPixels(0, 0, width, height, PixelFormat.getIntArgbInstance(), picture.pixels(), 0,
                width);
        PngWriter.write(picture, file);
        System.out.println("wrote " + file);
    }

    private static <T> T fx(Callable<T> step) throws Exception {
        return FxThread.call(step, Duration.ofSeconds(60));
    }
}
