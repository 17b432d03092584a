package org.vstation.ui.library;

import java.nio.file.Path;
import java.util.function.Function;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import javafx.scene.paint.Color;
import org.vstation.devices.MachineState;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.library.VmEntry;
import org.vstation.ui.Labels;

/** One VM in the library list: an OS badge, the name, and the state (powered off, running, paused, error). */
final class VmListCell extends ListCell<VmEntry> {
    private final Function<Path, MachineState> states;

    VmListCell(Function<Path, MachineState> states) {
        this.states = states;
    }

    @Override
    protected void updateItem(VmEntry entry, boolean empty) {
        super.updateItem(entry, empty);
        if (empty || entry == null) {
            setText(null);
            setGraphic(null);
            return;
        }
        Label name = new Label(entry.name());
        name.setStyle("-fx-font-weight: bold;");
        MachineState state = states.apply(entry.folder());
        Label stateLabel = new Label(entry.isReadable() ? stateText(entry, state) : "Cannot be read");
        stateLabel.setStyle("-fx-font-size: 11px; -fx-text-fill: " + stateColour(entry, state) + ";");
        VBox text = new VBox(1, name, stateLabel);
        HBox row = new HBox(10, badge(entry.isReadable() ? entry.config().guestOs : GuestOs.OTHER), text);
        row.setAlignment(Pos.CENTER_LEFT);
        setText(null);
        setGraphic(row);
    }

    private static String stateText(VmEntry entry, MachineState state) {
        if (state == MachineState.POWERED_OFF && !entry.problems().isEmpty()) {
            return "Powered off (needs attention)";
        }
        return Labels.state(state);
    }

    private static String stateColour(VmEntry entry, MachineState state) {
        return switch (state) {
            case RUNNING, CREATED -> "-color-success-fg";
            case PAUSED -> "-color-warning-fg";
            case ERROR -> "-color-danger-fg";
            case POWERED_OFF -> entry.problems().isEmpty() ? "-color-fg-muted" : "-color-warning-fg";
        };
    }

    /** A round badge in the OS family's colour with its initial, standing in for an OS icon. */
    static StackPane badge(GuestOs os) {
        Color colour = switch (os) {
            case LINUX -> Color.web("#f0b400");
            case WINDOWS -> Color.web("#0078d4");
            case DOS -> Color.web("#555555");
            case BSD -> Color.web("#ab2b28");
            case OTHER -> Color.web("#6e7781");
        };
        Label initial = new Label(switch (os) {
            case LINUX -> "L";
            case WINDOWS -> "W";
            case DOS -> "D";
            case BSD -> "B";
            case OTHER -> "?";
        });
        initial.setStyle("-fx-text-fill: white; -fx-font-weight: bold; -fx-font-size: 14px;");
        return new StackPane(new Circle(15, colour), initial);
    }
}
