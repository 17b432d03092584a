package org.vstation.ui.settings;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.SerialMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.mac.MacAddress;
import org.vstation.manager.mac.MacGenerator;
import org.vstation.manager.mac.MacRegistry;
import org.vstation.manager.runner.RunningVm;
import org.vstation.manager.runner.UsageException;
import org.vstation.ui.Labels;

/**
 * A VM's settings: General, Memory, Hard disk, CD/DVD, Network, Display, Serial port. Problems
 * show next to their field and OK stays disabled while there is one. On a running VM the CD/DVD
 * drive changes media at once (the guest sees it) and a network mode change switches the running
 * adapter on OK; the other pages are read-only until the VM is powered off, and the running VM's
 * new media and mode are saved to its config when it powers off.
 */
public final class SettingsDialog {
    public static final List<String> TABS = List.of("General", "Memory", "Hard disk", "CD/DVD", "Network",
            "Display", "Serial port");

    private final VmLibrary library;
    private final VmEntry entry;
    private final RunningVm running;
    private final VmConfig config;
    private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(true);
    private final TabPane tabs = new TabPane();

    private final TextField name = new TextField();
    private final Label nameProblem = problemLabel();
    private final ComboBox<GuestOs> guestOs = new ComboBox<>();
    private final TextArea notes = new TextArea();
    private final Slider memory = new Slider(VmConfig.MIN_MEMORY_MB, VmConfig.MAX_MEMORY_MB / 4 * 4, 256);
    private final Label memoryValue = new Label();
    private final TextField isoPath = new TextField();
    private final Label isoProblem = problemLabel();
    private final CheckBox connected = new CheckBox("Connected (medium inserted at power on)");
    private final Button eject = new Button("Eject");
    private final Button insert = new Button("Insert now");
    /** Shown after the guest refused a media change: repeats it by force. */
    private final Button forceMedia = new Button("Disconnect anyway");
    private final Label mediaStatus = new Label();
    private final ToggleGroup nicGroup = new ToggleGroup();
    private final RadioButton bridged = new RadioButton("Bridged: on the host's network like another machine");
    private final RadioButton nat = new RadioButton("NAT: reaches out through the host's address");
    private final RadioButton hostOnly = new RadioButton("Host-only: a private network of the host and its VMs");
    private final RadioButton notAttached = new RadioButton("Not attached: cable unplugged");
    private final ComboBox<String> bridgeInterface = new ComboBox<>();
    private final Label bridgeProblem = problemLabel();
    private final TextField mac = new TextField();
    private final Label macProblem = problemLabel();
    private final Label macWarning = new Label();
    private final Button generateMac = new Button("Generate new MAC");
    private final Spinner<Integer> videoMemory = new Spinner<>(VmConfig.MIN_VIDEO_MEMORY_MB,
            VmConfig.MAX_VIDEO_MEMORY_MB, 16);
    private final ComboBox<SerialMode> serialMode = new ComboBox<>();
    private final TextField serialPath = new TextField();
    private final Label serialProblem = problemLabel();

    public SettingsDialog(VmLibrary library, VmEntry entry, RunningVm running) {
        this.library = library;
        this.entry = entry;
        this.running = running != null && !running.isStopped() ? running : null;
        this.config = entry.config();
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getTabs().addAll(tab(0, generalPage()), tab(1, memoryPage()), tab(2, diskPage()), tab(3, cdromPage()),
                tab(4, networkPage()), tab(5, displayPage()), tab(6, serialPage()));
        tabs.setPrefSize(760, 420);
        if (this.running != null) {
            for (int index : new int[] {0, 1, 2, 5, 6}) {
                Node content = tabs.getTabs().get(index).getContent();
                content.setDisable(true);
                tabs.getTabs().get(index).setContent(new VBox(10,
                        new Label("Power off the VM to change these settings."), content));
            }
            connected.setDisable(true);
            mac.setDisable(true);
            generateMac.setDisable(true);
        }
        validate();
    }

    private Tab tab(int index, Node content) {
        VBox box = new VBox(10, content);
        box.setPadding(new Insets(12));
        return new Tab(TABS.get(index), box);
    }

    private static Label problemLabel() {
        Label label = new Label();
        label.setStyle("-fx-text-fill: -color-danger-fg;");
        label.setWrapText(true);
        return label;
    }

    private Node generalPage() {
        name.setText(config.name);
        guestOs.getItems().setAll(GuestOs.values());
        guestOs.setConverter(Labels.converter(Labels::guestOs));
        guestOs.setValue(config.guestOs);
        notes.setText(config.notes == null ? "" : config.notes);
        notes.setPrefRowCount(5);
        name.textProperty().addListener((observable, was, now) -> validate());
        GridPane grid = grid();
        grid.addRow(0, new Label("Name:"), name, nameProblem);
        grid.addRow(1, new Label("Guest OS:"), guestOs);
        grid.addRow(2, new Label("Notes:"), notes);
        return grid;
    }

    private Node memoryPage() {
        memory.setValue(config.memoryMb);
        memory.setShowTickLabels(true);
        memory.setShowTickMarks(true);
        memory.setMajorTickUnit(512);
        memory.setPrefWidth(420);
        memoryValue.setText(config.memoryMb + " MB");
        memory.valueProperty().addListener((observable, was, now) -> {
            int rounded = Math.round(now.floatValue() / 4) * 4;
            if (rounded != now.intValue()) {
                memory.setValue(rounded);
            }
            memoryValue.setText(rounded + " MB");
        });
        return new VBox(10, new Label("Base memory:"), new HBox(12, memory, memoryValue));
    }

    private Node diskPage() {
        if (config.disks.isEmpty()) {
            return new Label("This VM has no hard disk.");
        }
        GridPane grid = grid();
        for (int i = 0; i < config.disks.size(); i++) {
            var disk = config.disks.get(i);
            grid.addRow(i, new Label("Disk " + i + ":"), new Label(VmConfig.resolve(entry.folder(), disk.path)
                    + "  (" + (disk.sizeBytes >> 20) + " MB, " + disk.format.id() + ")"));
        }
        return grid;
    }

    private Node cdromPage() {
        isoPath.setText(config.cdrom.iso == null ? "" : VmConfig.resolve(entry.folder(), config.cdrom.iso).toString());
        isoPath.setPrefColumnCount(34);
        isoPath.setPromptText("empty drive");
        isoPath.textProperty().addListener((observable, was, now) -> validate());
        connected.setSelected(config.cdrom.connectAtPowerOn);
        Button browse = new Button("Browse...");
        browse.setOnAction(event -> {
            FileChooser chooser = new FileChooser();
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("ISO image", "*.iso"));
            java.io.File file = chooser.showOpenDialog(tabs.getScene().getWindow());
            if (file != null) {
                isoPath.setText(file.getAbsolutePath());
            }
        });
        eject.setOnAction(event -> eject(false));
        insert.setOnAction(event -> insertNow(false));
        insert.setVisible(running != null);
        forceMedia.setVisible(false);
        forceMedia.managedProperty().bind(forceMedia.visibleProperty());
        if (running == null) {
            eject.setText("Remove disc");
        }
        return new VBox(10, new Label("ISO image:"), new HBox(8, isoPath, browse), isoProblem, connected,
                new HBox(8, eject, insert, forceMedia), mediaStatus);
    }

    private Node networkPage() {
        NicConfig nic = entry.config().network.isEmpty() ? null : entry.config().network.getFirst();
        for (RadioButton button : List.of(bridged, nat, hostOnly, notAttached)) {
            button.setToggleGroup(nicGroup);
        }
        bridged.setUserData(NicMode.BRIDGED);
        nat.setUserData(NicMode.NAT);
        hostOnly.setUserData(NicMode.HOST_ONLY);
        notAttached.setUserData(NicMode.NONE);
        NicMode mode = nic == null || !nic.present ? NicMode.NONE : nic.mode;
        nicGroup.getToggles().stream().filter(toggle -> toggle.getUserData() == mode).findFirst()
                .ifPresent(toggle -> toggle.setSelected(true));
        bridgeInterface.getItems().setAll(hostInterfaces());
        bridgeInterface.setEditable(true);
        bridgeInterface.setValue(nic == null ? null : nic.bridgeInterface);
        bridgeInterface.disableProperty().bind(bridged.selectedProperty().not());
        mac.setText(nic == null || nic.mac == null ? "" : nic.mac.toString());
        mac.setPrefColumnCount(17);
        macWarning.setWrapText(true);
        macWarning.setStyle("-fx-text-fill: -color-warning-fg;");
        nicGroup.selectedToggleProperty().addListener((observable, was, now) -> validate());
        bridgeInterface.valueProperty().addListener((observable, was, now) -> validate());
        mac.textProperty().addListener((observable, was, now) -> validate());
        generateMac.setOnAction(event -> generateMac());
        if (nic == null) {
            mac.setDisable(true);
            generateMac.setDisable(true);
        }
        GridPane addresses = grid();
        addresses.addRow(0, new Label("Host interface:"), bridgeInterface, bridgeProblem);
        addresses.addRow(1, new Label("MAC address:"), new HBox(8, mac, generateMac), macProblem);
        return new VBox(8, new Label("Attached to:"), bridged, nat, hostOnly, notAttached, addresses, macWarning);
    }

    private Node displayPage() {
        videoMemory.getValueFactory().setValue(config.display.videoMemoryMb);
        videoMemory.setEditable(true);
        GridPane grid = grid();
        grid.addRow(0, new Label("Video memory (MB):"), videoMemory);
        grid.addRow(1, new Label("Adapter:"), new Label("Standard VGA with Bochs VBE (SeaVGABIOS)"));
        return grid;
    }

    private Node serialPage() {
        serialMode.getItems().setAll(SerialMode.values());
        serialMode.setConverter(Labels.converter(value -> value == SerialMode.FILE ? "Write to a file" : "Disconnected"));
        serialMode.setValue(config.serial.mode);
        serialPath.setText(config.serial.path == null ? "" : config.serial.path);
        serialPath.disableProperty().bind(serialMode.valueProperty().isNotEqualTo(SerialMode.FILE));
        serialMode.valueProperty().addListener((observable, was, now) -> validate());
        serialPath.textProperty().addListener((observable, was, now) -> validate());
        GridPane grid = grid();
        grid.addRow(0, new Label("COM1:"), serialMode);
        grid.addRow(1, new Label("File:"), serialPath, serialProblem);
        return grid;
    }

    private static GridPane grid() {
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(10);
        return grid;
    }

    private static List<String> hostInterfaces() {
        List<String> names = new ArrayList<>();
        try {
            NetworkInterface.networkInterfaces().filter(nic -> {
                try {
                    return !nic.isLoopback();
                } catch (SocketException e) {
                    return false;
                }
            }).forEach(nic -> names.add(nic.getName()));
        } catch (SocketException e) {
            // no interfaces to offer; the field stays editable
        }
        return names;
    }

    /** Fills the MAC field with a fresh generated address that no adapter of the library uses. */
    public void generateMac() {
        MacAddress current = parsedMac();
        mac.setText(MacGenerator.generate(config.uuid, 0, candidate -> candidate.equals(current)
                || !library.describeOwners(candidate).isEmpty()).toString());
    }

    private MacAddress parsedMac() {
        try {
            return MacAddress.parse(mac.getText().strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void validate() {
        String nameText = name.getText().strip();
        boolean nameTaken = !nameText.equals(config.name) && library.entries().stream()
                .anyMatch(other -> !other.folder().equals(entry.folder()) && nameText.equalsIgnoreCase(other.name()));
        nameProblem.setText(!VmConfig.isValidName(nameText)
                ? "1 to 64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit"
                : nameTaken ? "another VM has this name" : "");
        String iso = isoPath.getText().strip();
        isoProblem.setText(iso.isEmpty() || Files.isRegularFile(Path.of(iso)) ? "" : "no such file");
        bridgeProblem.setText(bridged.isSelected() && (bridgeInterface.getValue() == null
                || bridgeInterface.getValue().isBlank()) ? "choose the host interface to bridge to" : "");
        macProblem.setText("");
        macWarning.setText("");
        if (!mac.isDisabled()) {
            MacAddress address = parsedMac();
            NicConfig nic = config.network.getFirst();
            if (address == null) {
                macProblem.setText("six hex octets, like 02:56:53:00:00:01");
            } else if (address.isMulticast()) {
                macProblem.setText("a multicast address; the first octet must be even");
            } else if (!address.equals(nic.mac) && !library.describeOwners(address).isEmpty()) {
                macProblem.setText("already used by " + library.describeOwners(address));
            } else if (address.equals(nic.mac) && isDuplicate(address)) {
                macWarning.setText("\u26A0 This MAC address is also used by " + library.describeOwners(address)
                        + ". Two adapters with one address collide on a network: press \"Generate new MAC\".");
            }
        }
        serialProblem.setText(serialMode.getValue() == SerialMode.FILE && serialPath.getText().isBlank()
                ? "the file COM1 writes to" : "");
        valid.set(nameProblem.getText().isEmpty() && isoProblem.getText().isEmpty()
                && bridgeProblem.getText().isEmpty() && macProblem.getText().isEmpty()
                && serialProblem.getText().isEmpty());
    }

    private boolean isDuplicate(MacAddress address) {
        return library.duplicateMacs().stream().map(MacRegistry.Duplicate::address).anyMatch(address::equals);
    }

    public ReadOnlyBooleanProperty validProperty() {
        return valid.getReadOnlyProperty();
    }

    public NicMode selectedNicMode() {
        return (NicMode) nicGroup.getSelectedToggle().getUserData();
    }

    private void eject(boolean force) {
        if (running == null) {
            isoPath.setText("");
            return;
        }
        forceMedia.setVisible(false);
        running.ejectCdrom(force).whenComplete((result, failure) -> javafx.application.Platform.runLater(() -> {
            mediaStatus.setText(failure != null ? "Eject failed: " + failure.getMessage() : switch (result) {
                case EJECTED -> "Ejected; the guest sees an empty drive.";
                case NO_MEDIUM -> "The drive is already empty.";
                case LOCKED_BY_GUEST -> "The guest has locked the drive; eject it from inside the guest,"
                        + " or disconnect anyway (files the guest has open on it will fail).";
            });
            if (failure == null && result == org.vstation.devices.ide.AtapiCdrom.EjectResult.LOCKED_BY_GUEST) {
                offerForce(() -> eject(true));
            } else if (failure == null) {
                isoPath.setText("");
            }
        }));
    }

    private void insertNow(boolean force) {
        String iso = isoPath.getText().strip();
        if (iso.isEmpty() || !Files.isRegularFile(Path.of(iso))) {
            mediaStatus.setText("Choose an ISO file first.");
            return;
        }
        forceMedia.setVisible(false);
        try {
            running.insertIso(Path.of(iso), force).whenComplete((done, failure) -> javafx.application.Platform.runLater(() -> {
                if (failure == null) {
                    mediaStatus.setText("Inserted; the guest sees the new medium.");
                    return;
                }
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                mediaStatus.setText("The guest refused the change: " + cause.getMessage());
                if (cause instanceof org.vstation.devices.ide.AtapiCdrom.MediumLockedException) {
                    offerForce(() -> insertNow(true));
                }
            }));
        } catch (UsageException e) {
            mediaStatus.setText(e.getMessage());
        }
    }

    private void offerForce(Runnable forced) {
        forceMedia.setOnAction(event -> forced.run());
        forceMedia.setVisible(true);
    }

    public String mediaStatus() {
        return mediaStatus.getText();
    }

    /**
     * Saves what changed. For a powered-off VM: the config (and MAC, and name) now. For a running
     * VM: a NIC mode change switches the running adapter now, and the media and mode are saved to
     * the config once the VM has powered off. Returns the VM as it is now stored.
     */
    public VmEntry apply() throws IOException, LibraryException, UsageException {
        NicMode mode = selectedNicMode();
        String bridge = bridgeInterface.getValue() == null || bridgeInterface.getValue().isBlank() ? null
                : bridgeInterface.getValue().strip();
        String iso = isoPath.getText().strip();
        if (running != null) {
            NicConfig nic = firstAdapter();
            if (nic != null && (mode != nic.mode || !Objects.equals(bridge, nic.bridgeInterface))) {
                running.switchNetwork(mode, bridge);
            }
            running.stopped().thenRun(() -> {
                try {
                    VmEntry current = library.find(entry.folder().toString());
                    library.update(current, edited -> {
                        applyLiveSettings(edited, iso, mode, bridge);
                        return edited;
                    });
                } catch (IOException | LibraryException e) {
                    running.log().error("saving the settings changed while running failed", e);
                }
            });
            return entry;
        }
        VmEntry saved = library.update(entry, edited -> {
            edited.guestOs = guestOs.getValue();
            edited.notes = notes.getText().isBlank() ? null : notes.getText();
            edited.memoryMb = (int) memory.getValue();
            edited.cdrom.connectAtPowerOn = connected.isSelected();
            applyLiveSettings(edited, iso, mode, bridge);
            edited.display.videoMemoryMb = videoMemory.getValue();
            edited.serial.mode = serialMode.getValue();
            edited.serial.path = serialMode.getValue() == SerialMode.FILE ? serialPath.getText().strip() : null;
            return edited;
        });
        MacAddress address = parsedMac();
        if (address != null && !saved.config().network.isEmpty() && !address.equals(saved.config().network.getFirst().mac)) {
            saved = library.setMac(saved, 0, address);
        }
        String newName = name.getText().strip();
        if (!newName.equals(saved.name())) {
            saved = library.rename(saved, newName);
        }
        return saved;
    }

    private NicConfig firstAdapter() {
        return config.network.isEmpty() ? null : config.network.getFirst();
    }

    private void applyLiveSettings(VmConfig edited, String iso, NicMode mode, String bridge) {
        edited.cdrom.iso = iso.isEmpty() ? null : VmConfig.storedPath(entry.folder(), Path.of(iso));
        if (!edited.network.isEmpty()) {
            NicConfig nic = edited.network.getFirst();
            nic.mode = mode;
            nic.present = true;
            nic.bridgeInterface = bridge;
        }
    }

    /** The settings as a dialog; OK applies them and is disabled while something is invalid. */
    public Dialog<VmEntry> dialog(Window owner, java.util.function.Consumer<Exception> onError) {
        Dialog<VmEntry> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle(entry.name() + " - Settings" + (running != null ? " (running)" : ""));
        dialog.getDialogPane().setContent(tabs);
        dialog.getDialogPane().setMinWidth(780);
        dialog.setResizable(true);
        dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        dialog.getDialogPane().lookupButton(ButtonType.OK).disableProperty().bind(valid.not());
        dialog.setResultConverter(type -> {
            if (type != ButtonType.OK) {
                return null;
            }
            try {
                return apply();
            } catch (IOException | LibraryException | UsageException e) {
                onError.accept(e);
                return null;
            }
        });
        return dialog;
    }

    public TabPane tabs() {
        return tabs;
    }

    public TextField isoPathField() {
        return isoPath;
    }

    public RadioButton modeButton(NicMode mode) {
        return switch (mode) {
            case BRIDGED -> bridged;
            case NAT -> nat;
            case HOST_ONLY -> hostOnly;
            case NONE -> notAttached;
        };
    }

    public TextField macField() {
        return mac;
    }

    public Button generateMacButton() {
        return generateMac;
    }

    public Button ejectButton() {
        return eject;
    }

    public Button insertButton() {
        return insert;
    }

    public Button forceMediaButton() {
        return forceMedia;
    }

    public Label macProblemLabel() {
        return macProblem;
    }

    public Label macWarningLabel() {
        return macWarning;
    }
}
