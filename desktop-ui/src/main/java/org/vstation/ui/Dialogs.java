package org.vstation.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextArea;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** The app's error and progress dialogs. */
public final class Dialogs {
    private Dialogs() {
    }

    /** An error with its message and, when the error concerns a VM, a "Show log" link to that VM's log. */
    public static Alert error(Window owner, String title, String message, Path log) {
        Alert alert = new Alert(Alert.AlertType.ERROR);
        alert.initOwner(owner);
        alert.setTitle(title);
        alert.setHeaderText(title);
        Label text = new Label(message);
        text.setWrapText(true);
        VBox content = new VBox(8, text);
        if (log != null) {
            Hyperlink showLog = new Hyperlink("Show log");
            showLog.setOnAction(event -> showLog(owner, log));
            content.getChildren().add(showLog);
        }
        alert.getDialogPane().setContent(content);
        return alert;
    }

    /** The VM's log in a read-only text window, newest lines at the bottom. */
    public static void showLog(Window owner, Path log) {
        String text;
        try {
            text = Files.exists(log) ? Files.readString(log) : "(the log is empty)";
        } catch (IOException e) {
            text = "cannot read " + log + ": " + e.getMessage();
        }
        TextArea area = new TextArea(text);
        area.setEditable(false);
        area.setWrapText(false);
        area.setPrefSize(820, 420);
        area.positionCaret(text.length());
        Dialog<Void> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle(log.toString());
        dialog.getDialogPane().setContent(area);
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.show();
    }

    /**
     * Runs {@code task} on a worker thread with a progress bar and a Cancel button that cancels it;
     * the dialog closes by itself when the task ends.
     */
    public static <T> Dialog<Void> progress(Window owner, String title, Task<T> task) {
        Dialog<Void> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle(title);
        dialog.setHeaderText(title);
        ProgressBar bar = new ProgressBar();
        bar.setPrefWidth(420);
        bar.progressProperty().bind(task.progressProperty());
        Label message = new Label();
        message.textProperty().bind(task.messageProperty());
        VBox content = new VBox(10, bar, message);
        content.setPadding(new Insets(10));
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CANCEL);
        dialog.setOnCloseRequest(event -> {
            if (task.isRunning()) {
                task.cancel(true);
            }
        });
        task.runningProperty().addListener((observable, was, running) -> {
            if (!running) {
                dialog.close();
            }
        });
        Thread.ofPlatform().daemon(true).name("vstation-" + title).start(task);
        dialog.show();
        return dialog;
    }
}
