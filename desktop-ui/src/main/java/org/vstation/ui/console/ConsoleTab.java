package org.vstation.ui.console;

import java.nio.file.Path;
import java.util.function.LongSupplier;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Tab;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Stage;
import javafx.util.Duration;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineState;
import org.vstation.devices.ide.IdeChannel;
import org.vstation.devices.ide.IdeDevice;
import org.vstation.devices.net.Rtl8139;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.runner.LibraryRunOptions;
import org.vstation.manager.runner.RunningVm;

/**
 * A running VM's tab: its console, a small toolbar (scaling, full screen, Ctrl+Alt+Del) and a
 * status bar with the disk, CD/DVD and network of the VM, each with an activity light, and the
 * mouse-grab hint.
 */
public final class ConsoleTab extends Tab {
    private final ConsoleView console = new ConsoleView();
    private final Label state = new Label();
    private final Label disk = new Label();
    private final Label cdrom = new Label();
    private final Label network = new Label();
    private final Label hint = new Label();
    private final ActivityLight diskLight = new ActivityLight();
    private final ActivityLight cdromLight = new ActivityLight();
    private final ActivityLight networkLight = new ActivityLight();
    /** Ten polls a second: short enough to see a burst, long enough for the eye to catch a flash. */
    private final Timeline lights = new Timeline(new KeyFrame(Duration.millis(100), event -> pollLights()));
    private final Path folder;

    public ConsoleTab(Path folder, String name) {
        super(name);
        this.folder = folder;
        ToggleButton fit = new ToggleButton("Fit window");
        fit.setSelected(true);
        fit.setTooltip(new Tooltip("Scale the guest screen to the window (off: 1:1 pixels)"));
        fit.selectedProperty().addListener((observable, was, now) -> console.setFitToWindow(now));
        Button fullScreen = new Button("Full screen");
        fullScreen.setTooltip(new Tooltip("Ctrl+Alt+Enter"));
        fullScreen.setOnAction(event -> {
            if (getTabPane() != null && getTabPane().getScene().getWindow() instanceof Stage stage) {
                stage.setFullScreen(!stage.isFullScreen());
                console.requestFocus();
            }
        });
        Button ctrlAltDel = new Button("Send Ctrl+Alt+Del");
        ctrlAltDel.setOnAction(event -> {
            console.sendCtrlAltDel();
            console.requestFocus();
        });
        ToolBar toolbar = new ToolBar(fit, fullScreen, new Separator(), ctrlAltDel);

        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        hint.textProperty().bind(console.statusProperty());
        disk.setGraphic(diskLight);
        cdrom.setGraphic(cdromLight);
        network.setGraphic(networkLight);
        lights.setCycleCount(Animation.INDEFINITE);
        HBox statusBar = new HBox(12, state, spacer, hint, disk, cdrom, network);
        statusBar.setPadding(new Insets(3, 8, 3, 8));
        statusBar.getStyleClass().add("status-bar");
        statusBar.setStyle("-fx-border-color: -color-border-default transparent transparent transparent;");

        BorderPane content = new BorderPane(console, toolbar, null, statusBar, null);
        setContent(content);
        setOnSelectionChanged(event -> {
            if (isSelected()) {
                console.requestFocus();
            }
        });
    }

    public Path folder() {
        return folder;
    }

    public ConsoleView console() {
        return console;
    }

    /** Connects the tab to a fresh power-on. */
    public void attach(RunningVm vm) {
        Machine machine = vm.machine();
        console.attach(machine);
        diskLight.watch(activity(machine.ide().primary(), 0));
        cdromLight.watch(activity(machine.ide().secondary(), 0));
        Rtl8139 nic = machine.networkAdapter();
        networkLight.watch(nic == null ? null : nic::activityCount);
        lights.play();
        showDevices(vm.entry().folder(), vm.entry().config());
        showState(vm.state(), null);
        console.requestFocus();
    }

    private static LongSupplier activity(IdeChannel channel, int unit) {
        IdeDevice device = channel.device(unit);
        return device == null ? null : device::activityCount;
    }

    private void pollLights() {
        diskLight.poll();
        cdromLight.poll();
        networkLight.poll();
    }

    /** The devices as the status bar shows them (icons plus what is attached). */
    public void showDevices(Path vmFolder, VmConfig config) {
        disk.setText("Disk: " + (config.disks.isEmpty() ? "no disk" : config.disks.getFirst().path));
        cdrom.setText("CD/DVD: " + (config.cdrom.iso == null || !config.cdrom.connectAtPowerOn ? "empty"
                : Path.of(config.cdrom.iso).getFileName()));
        NicConfig nic = LibraryRunOptions.firstAdapter(config);
        network.setText("Network: " + (nic == null ? "no network" : nic.mode.id().toUpperCase()));
        disk.setTooltip(new Tooltip("Hard disk"));
        cdrom.setTooltip(new Tooltip("CD/DVD drive"));
        network.setTooltip(new Tooltip("Network adapter mode"));
    }

    /** The CD/DVD as it is now on the running VM. */
    public void showCdrom(String text) {
        cdrom.setText("CD/DVD: " + text);
    }

    public void showNetwork(String mode) {
        network.setText("Network: " + mode.toUpperCase());
    }

    public void showState(MachineState machineState, String error) {
        state.setText(switch (machineState) {
            case RUNNING, CREATED -> "Running";
            case PAUSED -> "Paused";
            case POWERED_OFF -> "Powered off";
            case ERROR -> "Error: " + error;
        });
        if (machineState == MachineState.POWERED_OFF || machineState == MachineState.ERROR) {
            lights.stop();
            diskLight.stop();
            cdromLight.stop();
            networkLight.stop();
        }
        if (machineState == MachineState.POWERED_OFF) {
            console.showPoweredOff("This virtual machine is powered off.");
        } else if (machineState == MachineState.ERROR) {
            console.showPoweredOff("The virtual machine stopped with an error:\n" + error);
        }
    }

    public ActivityLight diskLight() {
        return diskLight;
    }

    public ActivityLight cdromLight() {
        return cdromLight;
    }

    public ActivityLight networkLight() {
        return networkLight;
    }

    public String stateText() {
        return state.getText();
    }
}
