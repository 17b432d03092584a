package org.vstation.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;

/** Runs test steps on the FX thread of JavaFX's headless platform (-Dglass.platform=Headless). */
final class FxTestSupport {
    private static boolean started;

    private FxTestSupport() {
    }

    static synchronized void startPlatform() {
        if (!started) {
            FxThread.startPlatform();
            Platform.runLater(() -> javafx.application.Application.setUserAgentStylesheet(
                    new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet()));
            started = true;
        }
    }

    static <T> T fx(Callable<T> step) throws Exception {
        return FxThread.call(step, Duration.ofSeconds(30));
    }

    static void fxRun(ThrowingRunnable step) throws Exception {
        fx(() -> {
            step.run();
            return null;
        });
    }

    /** Polls {@code condition} on the FX thread until it holds; false after {@code seconds}. */
    static boolean waitFor(int seconds, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (fx(condition::getAsBoolean)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** A minimal ISO 9660 image: empty sectors and a primary volume descriptor at sector 16. */
    static Path writeIso(Path file) throws Exception {
        byte[] image = new byte[18 * 2048];
        int descriptor = 16 * 2048;
        image[descriptor] = 1;
        System.arraycopy("CD001".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, image, descriptor + 1, 5);
        image[descriptor + 6] = 1;
        image[17 * 2048] = (byte) 0xFF;
        System.arraycopy("CD001".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, image, 17 * 2048 + 1, 5);
        return Files.write(file, image);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
