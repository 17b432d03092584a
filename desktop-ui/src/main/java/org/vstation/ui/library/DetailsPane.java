package org.vstation.ui.library;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.vstation.devices.MachineState;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.runner.LibraryRunOptions;
import org.vstation.ui.Labels;

/** The selected VM's details: hardware summary, network adapter, media, disk, notes. */
final class DetailsPane extends ScrollPane {
    private final VBox box = new VBox(14);

    DetailsPane() {
        box.setPadding(new Insets(18));
        setContent(box);
        setFitToWidth(true);
        show(null, MachineState.POWERED_OFF, null, false);
    }

    void show(VmEntry entry, MachineState state, String error, boolean duplicateMac) {
        box.getChildren().clear();
        if (entry == null) {
            Label empty = new Label("No virtual machine selected.\nCreate one with New (Ctrl+N).");
            empty.setStyle("-fx-font-size: 15px;");
            box.getChildren().add(empty);
            return;
        }
        Label title = new Label(entry.name());
        title.setStyle("-fx-font-size: 22px; -fx-font-weight: bold;");
        Label stateLabel = new Label(Labels.state(state) + (error == null ? "" : ": " + error));
        stateLabel.setWrapText(true);
        box.getChildren().add(new HBox(12, VmListCell.badge(entry.isReadable() ? entry.config().guestOs
                : org.vstation.manager.config.GuestOs.OTHER), new VBox(2, title, stateLabel)));
        if (!entry.isReadable()) {
            box.getChildren().add(new Label("The configuration cannot be read: " + entry.errorMessage()));
            return;
        }
        VmConfig config = entry.config();
        GridPane grid = new GridPane();
        grid.setHgap(16);
        grid.setVgap(6);
        int row = 0;
        row = add(grid, row, "Guest OS", Labels.guestOs(config.guestOs));
        row = add(grid, row, "Memory", config.memoryMb + " MB");
        row = add(grid, row, "Processor", "1 x i686 (emulated)");
        row = add(grid, row, "Hard disk", config.disks.isEmpty() ? "none"
                : config.disks.getFirst().path + " (" + humanSize(config.disks.getFirst().sizeBytes) + ")");
        row = add(grid, row, "CD/DVD", config.cdrom.iso == null ? "empty"
                : config.cdrom.iso + (config.cdrom.connectAtPowerOn ? "" : " (not connected)"));
        NicConfig nic = LibraryRunOptions.firstAdapter(config);
        row = add(grid, row, "Network", nic == null ? "not attached"
                : "RTL8139, " + Labels.nicMode(nic.mode)
                        + (nic.bridgeInterface != null && nic.mode == org.vstation.manager.config.NicMode.BRIDGED
                                ? " (" + nic.bridgeInterface + ")" : ""));
        row = add(grid, row, "MAC address", nic == null ? "-" : nic.mac + (duplicateMac ? "  \u26A0 duplicate" : ""));
        row = add(grid, row, "Display", "VGA, " + config.display.videoMemoryMb + " MB video memory");
        row = add(grid, row, "Serial port", config.serial.path == null ? "disconnected" : config.serial.path);
        add(grid, row, "Folder", entry.folder().toString());
        box.getChildren().add(grid);
        if (!entry.problems().isEmpty()) {
            Label problems = new Label("\u26A0 " + String.join("\n\u26A0 ", entry.problems()));
            problems.setWrapText(true);
            problems.setStyle("-fx-text-fill: -color-warning-fg;");
            box.getChildren().add(problems);
        }
        Label notesTitle = new Label("Notes");
        notesTitle.setStyle("-fx-font-weight: bold;");
        Label notes = new Label(config.notes == null ? "(none)" : config.notes);
        notes.setWrapText(true);
        box.getChildren().addAll(notesTitle, notes);
    }

    private static int add(GridPane grid, int row, String name, String value) {
        Label key = new Label(name);
        key.setStyle("-fx-text-fill: -color-fg-muted;");
        Label text = new Label(value);
        text.setWrapText(true);
        grid.addRow(row, key, text);
        return row + 1;
    }

    static String humanSize(long bytes) {
        if (bytes >= 1L << 30) {
            return (bytes >> 30) + " GB";
        }
        return (bytes >> 20) + " MB";
    }
}
