package org.vstation.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vstation.ui.FxTestSupport.fx;
import static org.vstation.ui.FxTestSupport.fxRun;
import static org.vstation.ui.FxTestSupport.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.prefs.Preferences;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.MachineState;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.vga.render.VgaRenderer;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.mac.MacAddress;
import org.vstation.manager.runner.RunningVm;
import org.vstation.manager.runner.VmRuntime;
import org.vstation.ui.console.ConsoleTab;
import org.vstation.ui.console.ConsoleView;
import org.vstation.ui.library.MainWindow;
import org.vstation.ui.settings.SettingsDialog;
import org.vstation.ui.wizard.NewVmWizard;

/**
 * The app driven on JavaFX's headless platform: the wizard writes a VM, settings change its ISO,
 * NIC mode and MAC, and a powered-on VM's console goes from the "powered off" placeholder to
 * SeaBIOS's screen with the CD/DVD light flashing, takes media changes, and powers off when the
 * app closes.
 */
class DesktopAppTest {
    @TempDir
    Path temp;

    private Preferences preferencesNode;
    private VmLibrary library;
    private VmRuntime runtime;
    private MainWindow window;

    @BeforeAll
    static void platform() {
        FxTestSupport.startPlatform();
    }

    @BeforeEach
    void openApp() throws Exception {
        preferencesNode = Preferences.userRoot().node("org/vstation/ui-test/" + UUID.randomUUID());
        library = VmLibrary.open(temp.resolve("library"), false);
        runtime = new VmRuntime(library, FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS));
        window = fx(() -> {
            MainWindow created = new MainWindow(new Stage(), runtime, new AppPreferences(preferencesNode));
            created.setShowErrorDialogs(false);
            created.stage().show();
            return created;
        });
    }

    @AfterEach
    void closeApp() throws Exception {
        fxRun(() -> {
            window.requestClose(running -> true);
            window.stage().close();
        });
        preferencesNode.removeNode();
    }

    private VmEntry createThroughWizard(String name, int memoryMb, Path iso) throws Exception {
        return fx(() -> {
            NewVmWizard wizard = new NewVmWizard(library);
            wizard.nameField().setText(name);
            assertTrue(wizard.next(), wizard.problemText());
            wizard.memoryField().setValue(memoryMb);
            assertTrue(wizard.next());
            wizard.noDiskChoice().setSelected(true);
            assertTrue(wizard.next());
            if (iso != null) {
                wizard.isoChoice().setSelected(true);
                wizard.isoPathField().setText(iso.toString());
            }
            assertTrue(wizard.next(), wizard.problemText());
            wizard.nicModeField().setValue(NicMode.NAT);
            VmEntry entry = wizard.finish();
            window.created(entry);
            return entry;
        });
    }

    @Test
    void theWizardWritesTheVmAndRefusesBadOrTakenNames() throws Exception {
        VmEntry vm = createThroughWizard("web server", 64, null);

        Path config = temp.resolve("library/web server/web server.vstation.json");
        assertTrue(Files.isRegularFile(config));
        String json = Files.readString(config);
        assertTrue(json.contains("\"memoryMb\" : 64"), json);
        assertTrue(json.contains("\"mode\" : \"nat\""), json);
        assertEquals(vm.folder(), fx(() -> window.selected().folder()), "the new VM is selected");
        assertEquals(vm.folder().toString(), preferencesNode.get("library.selected", null), "the selection is remembered");

        fxRun(() -> {
            NewVmWizard wizard = new NewVmWizard(library);
            wizard.nameField().setText("web server");
            assertFalse(wizard.next());
            assertTrue(wizard.problemText().contains("already exists"), wizard.problemText());
            wizard.nameField().setText("bad/name");
            assertFalse(wizard.next());
            assertEquals(0, wizard.pageProperty().get());
        });
        assertEquals(1, library.entries().size(), "a refused wizard writes nothing");

        Path emptyImage = Files.createFile(temp.resolve("empty.img"));
        fxRun(() -> {
            NewVmWizard wizard = new NewVmWizard(library);
            wizard.nameField().setText("half made");
            wizard.existingDiskChoice().setSelected(true);
            wizard.diskPathField().setText(emptyImage.toString());
            try {
                wizard.finish();
                throw new AssertionError("an empty disk image is refused");
            } catch (org.vstation.manager.library.LibraryException expected) {
                assertTrue(expected.getMessage().contains("smaller than one sector"), expected.getMessage());
            }
        });
        assertEquals(1, library.entries().size(), "the failed VM was removed again");
        assertFalse(Files.exists(temp.resolve("library/half made")), "no folder is left behind");
    }

    @Test
    void settingsChangeIsoModeAndMacThenTheConsoleShowsSeaBiosAndTakesMediaChanges() throws Exception {
        assumeTrue(Files.isRegularFile(runtime.bios()), "needs SeaBIOS: ./vstation fetch-firmware");
        Path iso = FxTestSupport.writeIso(temp.resolve("tools.iso"));
        createThroughWizard("other", 16, null);
        VmEntry vm = createThroughWizard("guest", 16, null);
        MacAddress before = vm.config().network.getFirst().mac;

        VmEntry saved = fx(() -> {
            SettingsDialog settings = window.settingsFor(vm);
            settings.isoPathField().setText(iso.toString());
            settings.modeButton(NicMode.HOST_ONLY).setSelected(true);
            settings.macField().setText("01:00:00:00:00:01");
            assertFalse(settings.validProperty().get(), "a multicast MAC disables OK");
            assertFalse(settings.macProblemLabel().getText().isEmpty());
            settings.macField().setText(before.toString());
            settings.generateMacButton().fire();
            assertTrue(settings.validProperty().get());
            return settings.apply();
        });
        VmEntry reread = VmLibrary.open(temp.resolve("library"), false).find("guest");
        MacAddress after = reread.config().network.getFirst().mac;
        assertNotEquals(before, after);
        assertEquals(NicMode.HOST_ONLY, reread.config().network.getFirst().mode);
        assertEquals(iso.toString(), reread.config().cdrom.iso);
        assertTrue(library.describeOwners(after).startsWith("guest ("), library.describeOwners(after));
        assertFalse(library.describeOwners(after).contains("other"));

        ConsoleView console = fx(() -> {
            window.select(saved.folder());
            assertNotNull(window.powerOn(), "power on");
            ConsoleView shown = window.console(saved.folder()).orElseThrow().console();
            assertNull(shown.image(), "blank until the VM thread renders a first picture");
            return shown;
        });
        assertTrue(waitFor(90, () -> nonBlackPixels(console.image()) > 200),
                "the console shows SeaBIOS's screen (frames shown: " + console.framesShown() + ")");
        RunningVm running = runtime.active(saved.folder()).orElseThrow();
        assertEquals(MachineState.RUNNING, running.state());
        assertTrue(screenText(running).contains("SeaBIOS"), () -> "SeaBIOS's banner on the VGA: " + screenText(running));
        assertTrue(showsTheGuestScreen(console, running, 60),
                "the console settles on exactly the picture the VGA renders (SeaBIOS waiting for boot media)");
        ConsoleTab tab = fx(() -> window.console(saved.folder()).orElseThrow());
        assertTrue(waitFor(60, () -> tab.cdromLight().flashes() > 0), "SeaBIOS's CD probing lights the CD/DVD light");
        assertEquals(0, fx(() -> tab.diskLight().flashes()), "no disk, no disk light");
        assertEquals(0, fx(() -> tab.networkLight().flashes()), "nothing drives the NIC under SeaBIOS");

        SettingsDialog live = fx(() -> window.settingsFor(saved));
        fxRun(() -> live.ejectButton().fire());
        assertTrue(waitFor(10, () -> live.mediaStatus().startsWith("Ejected")), live::mediaStatus);
        fxRun(() -> {
            live.isoPathField().setText(iso.toString());
            live.insertButton().fire();
        });
        assertTrue(waitFor(10, () -> live.mediaStatus().startsWith("Inserted")), live::mediaStatus);
        fxRun(() -> {
            live.modeButton(NicMode.NAT).setSelected(true);
            live.apply();
        });

        AtomicInteger asked = new AtomicInteger();
        assertFalse(fx(() -> window.requestClose(count -> {
            asked.set(count);
            return false;
        })), "declining keeps the app and the VM running");
        assertEquals(1, asked.get());
        assertEquals(MachineState.RUNNING, running.state());
        assertTrue(fx(() -> window.requestClose(count -> true)));
        assertEquals(MachineState.POWERED_OFF, running.stopped().get(10, TimeUnit.SECONDS));
        assertTrue(waitFor(10, () -> !console.isShowingGuest()), "back to the powered-off placeholder");

        String log = Files.readString(saved.folder().resolve("vstation.log"));
        assertTrue(log.contains("media: eject: EJECTED"), log);
        assertTrue(log.contains("media: inserted " + iso), log);
        assertTrue(log.contains("mode switched to nat"), log);
        assertTrue(waitFor(10, () -> {
            try {
                return VmLibrary.open(temp.resolve("library"), false).find("guest").config().network.getFirst().mode
                        == NicMode.NAT;
            } catch (Exception e) {
                return false;
            }
        }), "the mode chosen while running is saved once the VM is off");
    }

    @Test
    void aCrashedVmShowsErrorWhileTheOtherRunsOn() throws Exception {
        assumeTrue(Files.isRegularFile(runtime.bios()), "needs SeaBIOS: ./vstation fetch-firmware");
        VmEntry crashing = createThroughWizard("crashing", 16, null);
        VmEntry steady = createThroughWizard("steady", 16, null);
        RunningVm first = fx(() -> {
            window.select(crashing.folder());
            return window.powerOn();
        });
        RunningVm second = fx(() -> {
            window.select(steady.folder());
            return window.powerOn();
        });

        first.machine().post(() -> {
            throw new IllegalStateException("simulated emulator fault");
        });
        assertEquals(MachineState.ERROR, first.stopped().get(10, TimeUnit.SECONDS));
        assertTrue(waitFor(10, () -> window.console(crashing.folder()).orElseThrow().stateText()
                .startsWith("Error: ")), "the crashed VM's tab shows the error");
        long before = second.machine().processor().instructionCount();
        Thread.sleep(300);
        assertTrue(second.machine().processor().instructionCount() > before, "the other VM keeps running");
        assertEquals("Running", fx(() -> window.console(steady.folder()).orElseThrow().stateText()));
        assertEquals(MachineState.ERROR, runtime.state(crashing.folder()));
        assertTrue(waitFor(10, () -> listedState("crashing").equals("Error")
                && listedState("steady").equals("Running")), "the library list shows Error next to Running");
        assertTrue(fx(() -> {
            window.select(crashing.folder());
            return window.powerOn() != null;
        }), "a crashed VM can be powered on again");
    }

    @Test
    void closingTheWindowWithARunningVmAsksBeforePoweringItOff() throws Exception {
        assumeTrue(Files.isRegularFile(runtime.bios()), "needs SeaBIOS: ./vstation fetch-firmware");
        VmEntry vm = createThroughWizard("busy", 16, null);
        RunningVm running = fx(() -> {
            window.select(vm.folder());
            return window.powerOn();
        });

        DialogPane question = closeWindowAndFindQuestion();
        assertEquals("Power off running virtual machines?", question.getHeaderText());
        assertTrue(question.getContentText().startsWith("A virtual machine is running."), question.getContentText());
        fxRun(() -> ((Button) question.lookupButton(ButtonType.CANCEL)).fire());
        assertTrue(waitFor(10, () -> questionShowing() == null), "Cancel closes the question");
        assertTrue(fx(() -> window.stage().isShowing()), "Cancel keeps the window open");
        assertEquals(MachineState.RUNNING, running.state(), "and the VM running");

        DialogPane again = closeWindowAndFindQuestion();
        ButtonType powerOffAndQuit = again.getButtonTypes().stream()
                .filter(type -> type.getText().equals("Power Off and Quit")).findFirst().orElseThrow();
        fxRun(() -> ((Button) again.lookupButton(powerOffAndQuit)).fire());
        assertEquals(MachineState.POWERED_OFF, running.stopped().get(20, TimeUnit.SECONDS), "the VM is powered off");
        assertTrue(waitFor(10, () -> !window.stage().isShowing()), "and the window closes");
    }

    /** Asks the main window to close as the window manager would, and returns the question it shows. */
    private DialogPane closeWindowAndFindQuestion() throws Exception {
        javafx.application.Platform.runLater(() -> window.stage().fireEvent(
                new WindowEvent(window.stage(), WindowEvent.WINDOW_CLOSE_REQUEST)));
        assertTrue(waitFor(10, () -> questionShowing() != null), "closing the window with a running VM asks first");
        return fx(this::questionShowing);
    }

    /** The power-off question if a window shows it (FX thread). */
    private DialogPane questionShowing() {
        for (Window open : Window.getWindows()) {
            if (open != window.stage() && open.isShowing() && open.getScene() != null
                    && open.getScene().getRoot().lookup(".dialog-pane") instanceof DialogPane pane
                    && "Power off running virtual machines?".equals(pane.getHeaderText())) {
                return pane;
            }
        }
        return null;
    }

    /** The state line the library list shows for this VM. */
    private String listedState(String name) {
        for (Node node : window.libraryList().lookupAll(".list-cell")) {
            if (node instanceof ListCell<?> cell && cell.getItem() instanceof VmEntry entry && entry.name().equals(name)
                    && cell.getGraphic() != null) {
                List<String> texts = cell.getGraphic().lookupAll(".label").stream()
                        .map(label -> ((Label) label).getText()).toList();
                return texts.getLast();
            }
        }
        return "";
    }

    /** The VGA's text screen, read on the VM thread. */
    private static String screenText(RunningVm vm) {
        CompletableFuture<List<String>> lines = new CompletableFuture<>();
        vm.machine().post(() -> lines.complete(new VgaRenderer(vm.machine().vga()).textLines()));
        try {
            return String.join("\n", lines.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("the VM thread did not answer", e);
        }
    }

    /** Whether, within {@code seconds}, the console's picture equals a capture of the guest's screen pixel for pixel. */
    private static boolean showsTheGuestScreen(ConsoleView console, RunningVm vm, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Framebuffer guest = vm.machine().captureScreen().get(30, TimeUnit.SECONDS);
            Thread.sleep(200); // a few pulses, so the console has shown that picture too
            if (fx(() -> samePicture(console.image(), guest))) {
                return true;
            }
        }
        return false;
    }

    private static boolean samePicture(WritableImage image, Framebuffer guest) {
        if (image == null || (int) image.getWidth() != guest.width() || (int) image.getHeight() != guest.height()) {
            return false;
        }
        PixelReader reader = image.getPixelReader();
        for (int y = 0; y < guest.height(); y++) {
            for (int x = 0; x < guest.width(); x++) {
                if (reader.getArgb(x, y) != guest.pixel(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int nonBlackPixels(WritableImage image) {
        if (image == null) {
            return 0;
        }
        PixelReader reader = image.getPixelReader();
        int count = 0;
        for (int y = 0; y < (int) image.getHeight(); y += 2) {
            for (int x = 0; x < (int) image.getWidth(); x += 2) {
                if ((reader.getArgb(x, y) & 0xFFFFFF) != 0) {
                    count++;
                }
            }
        }
        return count;
    }
}
