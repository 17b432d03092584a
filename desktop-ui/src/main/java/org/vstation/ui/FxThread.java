package org.vstation.ui;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;

/**
 * For code that drives the app from outside the JavaFX application thread (the console benchmark, the
 * screenshot tour, the UI tests): starting the platform once and handing it work.
 */
public final class FxThread {
    private FxThread() {
    }

    /** Starts the JavaFX platform unless it already runs; closing the last window does not end it. */
    public static void startPlatform() {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        try {
            Platform.startup(() -> ready.complete(null));
        } catch (IllegalStateException alreadyRunning) {
            ready.complete(null);
        }
        ready.join();
        Platform.setImplicitExit(false);
    }

    /** Runs {@code step} on the FX thread and returns its result, or fails after {@code timeout}. */
    public static <T> T call(Callable<T> step, Duration timeout) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(step.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
