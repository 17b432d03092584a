package org.vstation.ui.library;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;
import javafx.application.Platform;
import javafx.concurrent.Task;
import javafx.geometry.Orientation;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.Separator;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.vstation.devices.MachineState;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.images.GuestImageUnavailableException;
import org.vstation.manager.images.LiveCdImage;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.NewVm;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.library.VmLog;
import org.vstation.manager.mac.MacRegistry;
import org.vstation.manager.runner.RunningVm;
import org.vstation.manager.runner.UsageException;
import org.vstation.manager.runner.VmRuntime;
import org.vstation.ui.AppPreferences;
import org.vstation.ui.Dialogs;
import org.vstation.ui.ScriptTask;
import org.vstation.ui.console.ConsoleTab;
import org.vstation.ui.settings.SettingsDialog;
import org.vstation.ui.wizard.NewVmWizard;

/**
 * The main window: the VM library on the left, the selected VM's details and one console tab per
 * powered-on VM on the right, a toolbar and menus with the power and library actions.
 */
public final class MainWindow {
    public static final String DEMO_VM_NAME = "Debian Live";

    private final Stage stage;
    private final VmRuntime runtime;
    private final VmLibrary library;
    private final AppPreferences preferences;
    private final ListView<VmEntry> list = new ListView<>();
    private final DetailsPane details = new DetailsPane();
    private final TabPane tabs = new TabPane();
    private final Tab detailsTab = new Tab("Details", details);
    private final Map<Path, ConsoleTab> consoles = new HashMap<>();
    private final Button powerOn = button("\u25B6 Power On", "Power on the selected VM (Ctrl+B)");
    private final Button shutDown = button("\u263D Shut Down", "ACPI shutdown: ask the guest to power off (Ctrl+H)");
    private final Button powerOff = button("\u25A0 Power Off", "Hard power off, like pulling the plug (Ctrl+Shift+H)");
    private final Button reset = button("\u21BB Reset", "Press the reset button (Ctrl+Shift+R)");
    private final Button pause = button("\u275A\u275A Pause", "Pause or resume the VM (Ctrl+P)");
    private final Button settings = button("\u2699 Settings", "Change the VM's settings (Ctrl+S)");
    private final Button cloneButton = button("\u2750 Clone", "Copy the VM with new MAC addresses (Ctrl+O)");
    private final Button delete = button("\u2716 Delete", "Delete the VM and its files (Ctrl+Delete)");
    private boolean showErrorDialogs = true;

    public MainWindow(Stage stage, VmRuntime runtime, AppPreferences preferences) {
        this.stage = stage;
        this.runtime = runtime;
        this.library = runtime.library();
        this.preferences = preferences;
        list.setCellFactory(view -> new VmListCell(runtime::state));
        list.setPrefWidth(270);
        list.getSelectionModel().selectedItemProperty().addListener((observable, was, now) -> {
            showSelection();
            preferences.saveSelectedVm(now == null ? null : now.folder().toString());
        });
        list.setOnMouseClicked(event -> {
            if (event.getButton() == MouseButton.PRIMARY && event.getClickCount() == 2) {
                VmEntry vm = selected();
                if (vm != null && runtime.active(vm.folder()).isPresent()) {
                    showConsole(vm.folder());
                } else {
                    powerOn();
                }
            }
        });
        detailsTab.setClosable(false);
        tabs.getTabs().add(detailsTab);

        Button newVm = button("\u271A New", "Create a new virtual machine (Ctrl+N)");
        newVm.setOnAction(event -> newVm());
        powerOn.setOnAction(event -> powerOn());
        shutDown.setOnAction(event -> withRunning(RunningVm::shutDown));
        powerOff.setOnAction(event -> withRunning(RunningVm::powerOff));
        reset.setOnAction(event -> withRunning(RunningVm::reset));
        pause.setOnAction(event -> togglePause());
        settings.setOnAction(event -> openSettings());
        cloneButton.setOnAction(event -> cloneSelected());
        delete.setOnAction(event -> deleteSelected());
        ToolBar toolbar = new ToolBar(newVm, new Separator(Orientation.VERTICAL), powerOn, shutDown, powerOff, reset,
                pause, new Separator(Orientation.VERTICAL), settings, cloneButton, delete);

        SplitPane split = new SplitPane(list, tabs);
        split.setDividerPositions(0.24);
        SplitPane.setResizableWithParent(list, false);
        BorderPane root = new BorderPane(split, new VBox(menuBar(), toolbar), null, null, null);
        Scene scene = new Scene(root, preferences.width(), preferences.height());
        stage.setScene(scene);
        stage.setTitle("VStation");
        stage.setMaximized(preferences.maximized());
        stage.setFullScreenExitHint("Press Ctrl+Alt+Enter to leave full screen");
        stage.setOnCloseRequest(event -> {
            if (!requestClose(this::askPowerOffAll)) {
                event.consume();
            }
        });
        runtime.addStateListener((vm, state) -> Platform.runLater(() -> onStateChange(vm, state)));
        reload();
        String remembered = preferences.selectedVm();
        list.getItems().stream().filter(entry -> entry.folder().toString().equals(remembered)).findFirst()
                .ifPresentOrElse(entry -> list.getSelectionModel().select(entry),
                        () -> list.getSelectionModel().selectFirst());
        showSelection();
    }

    private static Button button(String text, String tooltip) {
        Button button = new Button(text);
        button.setTooltip(new Tooltip(tooltip));
        return button;
    }

    private MenuBar menuBar() {
        MenuItem newVm = item("New Virtual Machine...", "Shortcut+N", this::newVm);
        MenuItem fetch = item("Fetch Firmware...", null, this::fetchFirmware);
        MenuItem demo = item("Create the Demo VM...", null, this::createDemoVm);
        MenuItem quit = item("Quit", "Shortcut+Q", () -> {
            if (requestClose(this::askPowerOffAll)) {
                stage.close();
            }
        });
        Menu file = new Menu("File", null, newVm, demo, fetch, new SeparatorMenuItem(), quit);
        Menu machine = new Menu("Machine", null,
                item("Power On", "Shortcut+B", this::powerOn),
                item("Shut Down (ACPI)", "Shortcut+H", () -> withRunning(RunningVm::shutDown)),
                item("Power Off", "Shortcut+Shift+H", () -> withRunning(RunningVm::powerOff)),
                item("Reset", "Shortcut+Shift+R", () -> withRunning(RunningVm::reset)),
                item("Pause / Resume", "Shortcut+P", this::togglePause),
                new SeparatorMenuItem(),
                item("Settings...", "Shortcut+S", this::openSettings),
                item("Clone...", "Shortcut+O", this::cloneSelected),
                item("Delete...", "Shortcut+Delete", this::deleteSelected),
                new SeparatorMenuItem(),
                item("Show Log", "Shortcut+L", () -> {
                    VmEntry vm = selected();
                    if (vm != null) {
                        Dialogs.showLog(stage, new VmLog(vm.folder()).file());
                    }
                }));
        Menu view = new Menu("View", null,
                item("Fit Guest Screen to Window", "Shortcut+F", () -> currentConsole().ifPresent(tab ->
                        tab.console().setFitToWindow(!tab.console().isFitToWindow()))),
                item("Full Screen", "Ctrl+Alt+Enter", () -> stage.setFullScreen(!stage.isFullScreen())));
        Menu input = new Menu("Input", null,
                item("Send Ctrl+Alt+Del", "Ctrl+Alt+Insert", () -> currentConsole().ifPresent(tab ->
                        tab.console().sendCtrlAltDel())));
        return new MenuBar(file, machine, view, input);
    }

    private static MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem item = new MenuItem(text);
        if (accelerator != null) {
            item.setAccelerator(KeyCombination.keyCombination(accelerator));
        }
        item.setOnAction(event -> action.run());
        return item;
    }

    public Stage stage() {
        return stage;
    }

    /** Errors go to dialogs; tests switch this off and read the log instead. */
    public void setShowErrorDialogs(boolean value) {
        showErrorDialogs = value;
    }

    /** Reads the library again (after a change here or by another process) and keeps the selection. */
    public void reload() {
        Path selectedFolder = selected() == null ? null : selected().folder();
        List<VmEntry> entries = library.entries();
        list.getItems().setAll(entries);
        if (selectedFolder != null) {
            select(selectedFolder);
        }
        showSelection();
    }

    /** The library's latest entry for this folder (the list may show an older one), or null. */
    private VmEntry current(Path folder) {
        return library.entries().stream().filter(entry -> entry.folder().equals(folder)).findFirst().orElse(null);
    }

    public VmEntry selected() {
        return list.getSelectionModel().getSelectedItem();
    }

    public ListView<VmEntry> libraryList() {
        return list;
    }

    public void select(Path folder) {
        list.getItems().stream().filter(entry -> entry.folder().equals(folder)).findFirst()
                .ifPresent(entry -> list.getSelectionModel().select(entry));
    }

    private void showSelection() {
        VmEntry vm = selected();
        MachineState state = vm == null ? MachineState.POWERED_OFF : runtime.state(vm.folder());
        String error = vm == null ? null : runtime.lastRun(vm.folder()).filter(run -> run.state() == MachineState.ERROR)
                .map(RunningVm::errorMessage).orElse(null);
        boolean duplicate = vm != null && vm.isReadable() && !vm.config().network.isEmpty()
                && library.duplicateMacs().stream().map(MacRegistry.Duplicate::address)
                        .anyMatch(address -> address.equals(vm.config().network.getFirst().mac));
        details.show(vm, state, error, duplicate);
        boolean running = state == MachineState.RUNNING || state == MachineState.PAUSED;
        powerOn.setDisable(vm == null || !vm.isReadable() || running);
        for (Button button : List.of(shutDown, powerOff, reset, pause)) {
            button.setDisable(!running);
        }
        pause.setText(state == MachineState.PAUSED ? "\u25B6 Resume" : "\u275A\u275A Pause");
        settings.setDisable(vm == null || !vm.isReadable());
        cloneButton.setDisable(vm == null || !vm.isReadable() || running);
        delete.setDisable(vm == null || running);
    }

    private void onStateChange(RunningVm vm, MachineState state) {
        list.refresh();
        ConsoleTab tab = consoles.get(vm.entry().folder());
        if (tab != null) {
            tab.showState(state, vm.errorMessage());
        }
        if (state == MachineState.POWERED_OFF || state == MachineState.ERROR) {
            reload();
        }
        showSelection();
        if (state == MachineState.ERROR && showErrorDialogs) {
            Dialogs.error(stage, vm.entry().name() + " stopped with an error", vm.errorMessage(),
                    vm.log().file()).show();
        }
    }

    private void error(String title, Exception e, VmEntry vm) {
        if (vm != null) {
            new VmLog(vm.folder()).error(title, e);
        }
        if (showErrorDialogs) {
            Dialogs.error(stage, title, e.getMessage(), vm == null ? null : new VmLog(vm.folder()).file()).show();
        }
    }

    /** Opens the wizard; the VM it creates is selected. */
    public void newVm() {
        NewVmWizard wizard = new NewVmWizard(library);
        wizard.dialog(stage).showAndWait().ifPresent(this::created);
    }

    /** After the wizard (or the demo) created a VM: list it and select it. */
    public void created(VmEntry entry) {
        reload();
        select(entry.folder());
    }

    /** Powers on the selected VM and shows its console; null (after an error dialog) if it cannot start. */
    public RunningVm powerOn() {
        VmEntry vm = selected() == null ? null : current(selected().folder());
        if (vm == null) {
            return null;
        }
        ConsoleTab tab = consoles.computeIfAbsent(vm.folder(), folder -> {
            ConsoleTab created = new ConsoleTab(folder, vm.name());
            created.setOnClosed(event -> consoles.remove(folder));
            return created;
        });
        if (!tabs.getTabs().contains(tab)) {
            tabs.getTabs().add(tab);
        }
        tabs.getSelectionModel().select(tab);
        try {
            RunningVm running = runtime.powerOn(vm);
            tab.attach(running);
            showSelection();
            return running;
        } catch (IOException | LibraryException | UsageException e) {
            tab.showState(MachineState.POWERED_OFF, null);
            tab.console().showPoweredOff("Could not power on:\n" + e.getMessage());
            error("Cannot power on " + vm.name(), e, vm);
            return null;
        }
    }

    public Optional<ConsoleTab> console(Path folder) {
        return Optional.ofNullable(consoles.get(folder));
    }

    private Optional<ConsoleTab> currentConsole() {
        return tabs.getSelectionModel().getSelectedItem() instanceof ConsoleTab tab ? Optional.of(tab) : Optional.empty();
    }

    private void showConsole(Path folder) {
        ConsoleTab tab = consoles.get(folder);
        if (tab != null) {
            if (!tabs.getTabs().contains(tab)) {
                tabs.getTabs().add(tab);
            }
            tabs.getSelectionModel().select(tab);
        }
    }

    private void withRunning(java.util.function.Consumer<RunningVm> action) {
        VmEntry vm = selected();
        if (vm != null) {
            runtime.active(vm.folder()).ifPresent(action);
        }
    }

    private void togglePause() {
        withRunning(vm -> {
            if (vm.state() == MachineState.PAUSED) {
                vm.resume();
            } else {
                vm.pause();
            }
        });
    }

    /** The settings of the selected VM (live media and network changes when it runs). */
    public SettingsDialog settingsFor(VmEntry vm) {
        return new SettingsDialog(library, vm, runtime.active(vm.folder()).orElse(null));
    }

    private void openSettings() {
        VmEntry vm = selected() == null ? null : current(selected().folder());
        if (vm == null || !vm.isReadable()) {
            return;
        }
        SettingsDialog dialog = settingsFor(vm);
        dialog.dialog(stage, e -> error("The settings of " + vm.name() + " were not saved", e, vm))
                .showAndWait().ifPresent(saved -> {
                    runtime.forget(vm.folder());
                    reload();
                    select(saved.folder());
                    ConsoleTab tab = consoles.get(vm.folder());
                    if (tab != null && runtime.active(vm.folder()).isPresent()) {
                        tab.showNetwork(dialog.selectedNicMode().id());
                    }
                });
    }

    private void cloneSelected() {
        VmEntry vm = selected();
        if (vm == null) {
            return;
        }
        TextInputDialog ask = new TextInputDialog(vm.name() + " clone");
        ask.initOwner(stage);
        ask.setTitle("Clone " + vm.name());
        ask.setHeaderText("The clone gets its own disk copy and new MAC addresses.");
        ask.setContentText("Name of the clone:");
        ask.showAndWait().ifPresent(name -> {
            try {
                created(library.clone(vm, name.strip()));
            } catch (IOException | LibraryException e) {
                error("Cannot clone " + vm.name(), e, vm);
            }
        });
    }

    private void deleteSelected() {
        VmEntry vm = selected();
        if (vm == null) {
            return;
        }
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION,
                "Delete \"" + vm.name() + "\" and all its files (disks, logs) in " + vm.folder() + "?",
                ButtonType.CANCEL, ButtonType.OK);
        confirm.initOwner(stage);
        confirm.setHeaderText("Delete " + vm.name());
        if (confirm.showAndWait().orElse(ButtonType.CANCEL) == ButtonType.OK) {
            try {
                library.delete(vm);
                runtime.forget(vm.folder());
                ConsoleTab tab = consoles.remove(vm.folder());
                if (tab != null) {
                    tabs.getTabs().remove(tab);
                }
                reload();
            } catch (IOException | LibraryException e) {
                error("Cannot delete " + vm.name(), e, vm);
            }
        }
    }

    /**
     * Closing the window: with VMs running, {@code askPowerOff} is asked (with their count) whether
     * to power them off; false keeps the app open. Returns whether the app may close.
     */
    public boolean requestClose(IntPredicate askPowerOff) {
        VmEntry vm = selected();
        preferences.saveWindow(stage.getWidth(), stage.getHeight(), stage.isMaximized());
        preferences.saveSelectedVm(vm == null ? null : vm.folder().toString());
        int running = runtime.active().size();
        if (running == 0) {
            return true;
        }
        if (!askPowerOff.test(running)) {
            return false;
        }
        try {
            runtime.powerOffAll(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private boolean askPowerOffAll(int running) {
        ButtonType powerOffAll = new ButtonType("Power Off and Quit", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, running == 1
                ? "A virtual machine is running. Quitting powers it off (like pulling the plug)."
                : running + " virtual machines are running. Quitting powers them off (like pulling the plug).",
                powerOffAll, ButtonType.CANCEL);
        alert.initOwner(stage);
        alert.setHeaderText("Power off running virtual machines?");
        return alert.showAndWait().orElse(ButtonType.CANCEL) == powerOffAll;
    }

    /** With an empty library, offers the demo VM once, so a new user sees a guest boot within a minute. */
    public void offerDemoOnFirstRun() {
        if (!library.entries().isEmpty() || preferences.demoOffered()) {
            return;
        }
        preferences.saveDemoOffered();
        Alert offer = new Alert(Alert.AlertType.CONFIRMATION,
                "Your library is empty. Create a demo VM that boots a small Debian Linux live CD?",
                ButtonType.YES, ButtonType.NO);
        offer.initOwner(stage);
        offer.setHeaderText("Welcome to VStation");
        if (offer.showAndWait().orElse(ButtonType.NO) == ButtonType.YES) {
            createDemoVm();
        }
    }

    /** Creates the demo VM from the Debian live CD, building the CD first (with progress) if needed. */
    public void createDemoVm() {
        LiveCdImage live = LiveCdImage.ofUser();
        Task<VmEntry> check = new Task<>() {
            @Override
            protected VmEntry call() throws Exception {
                updateProgress(-1, 1);
                updateMessage("Checking " + live.path() + "...");
                Path iso = live.verified();
                String name = DEMO_VM_NAME;
                for (int i = 2; library.entries().stream().anyMatch(entry -> DEMO_VM_NAME.equals(entry.name()))
                        && Files.exists(library.root().resolve(name)); i++) {
                    name = DEMO_VM_NAME + " " + i;
                }
                return library.create(NewVm.withDefaults(name).withGuestOs(GuestOs.LINUX).withMemoryMb(128)
                        .withDiskSizeBytes(0).withIso(iso));
            }
        };
        check.setOnSucceeded(event -> created(check.getValue()));
        check.setOnFailed(event -> {
            if (check.getException() instanceof GuestImageUnavailableException) {
                Task<Void> build = ScriptTask.guestImages("build-debian-live");
                build.setOnSucceeded(done -> createDemoVm());
                build.setOnFailed(failed -> error("The demo guest image could not be built",
                        (Exception) build.getException(), null));
                Dialogs.progress(stage, "Building the demo guest image", build);
            } else {
                error("The demo VM could not be created", (Exception) check.getException(), null);
            }
        });
        Dialogs.progress(stage, "Creating the demo VM", check);
    }

    private void fetchFirmware() {
        Task<Void> fetch = ScriptTask.guestImages("fetch-firmware");
        fetch.setOnFailed(event -> error("The firmware could not be fetched", (Exception) fetch.getException(), null));
        Dialogs.progress(stage, "Fetching SeaBIOS firmware", fetch);
    }
}
