package org.vstation.ui;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.concurrent.Task;

/**
 * One of the repository's guest-images scripts (fetch-firmware, build-debian-live) as a
 * cancellable task: its progress lines become the task's message, cancelling ends the script.
 */
public final class ScriptTask extends Task<Void> {
    private final List<String> command;

    private ScriptTask(List<String> command) {
        this.command = command;
    }

    /** The script {@code guest-images/NAME} of the checkout the app runs from ({@code -Dvstation.home}). */
    public static ScriptTask guestImages(String name) {
        Path home = Path.of(System.getProperty("vstation.home", "."));
        return new ScriptTask(List.of(home.resolve("guest-images").resolve(name).toString()));
    }

    @Override
    protected Void call() throws Exception {
        if (!Files.isExecutable(Path.of(command.getFirst()))) {
            throw new IllegalStateException(command.getFirst() + " is missing; run the app with ./vstation");
        }
        updateProgress(-1, 1);
        updateMessage("Starting " + Path.of(command.getFirst()).getFileName() + "...");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder tail = new StringBuilder();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                if (isCancelled()) {
                    break;
                }
                updateMessage(line);
                tail.setLength(0);
                tail.append(line);
            }
        } finally {
            if (isCancelled() || Thread.currentThread().isInterrupted()) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            }
        }
        int exit = process.waitFor();
        if (!isCancelled() && exit != 0) {
            throw new IllegalStateException(Path.of(command.getFirst()).getFileName() + " failed (exit " + exit
                    + "): " + tail);
        }
        updateProgress(1, 1);
        return null;
    }
}
