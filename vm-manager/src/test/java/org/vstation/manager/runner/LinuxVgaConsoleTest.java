package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vstation.devices.Machine;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.PngWriter;
import org.vstation.devices.vga.render.VgaRenderer;
import org.vstation.manager.images.GuestImagesForTests;

/**
 * Issue 6, "done when" 3: the Debian live CD's kernel writes its messages to
 * the VGA text console (console=tty0) and to COM1; once the shell is up, the
 * screen shows kernel message lines, and each of them is one the kernel also
 * sent to the serial port. The screenshot goes to target/linux-vga-console.png.
 */
@Tag("slow")
class LinuxVgaConsoleTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(20);

    private Machine machine;
    private final StringBuilder serial = new StringBuilder();

    @AfterEach
    void powerOff() throws Exception {
        if (machine != null) {
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void kernelMessagesAppearOnTheVgaTextConsole() throws Exception {
        Path iso = GuestImagesForTests.liveCdOrAbort();
        Path bios = GuestImagesForTests.seaBiosOrAbort();
        machine = VmLauncher.build("vga-console", RunOptions.parse(
                List.of("--headless", "--iso", iso.toString(), "--memory", "256"), bios));
        machine.addSerialListener(b -> {
            synchronized (serial) {
                serial.append((char) b);
            }
        });
        machine.start();
        awaitSerial("# ");

        CompletableFuture<List<String>> screenText = new CompletableFuture<>();
        machine.post(() -> screenText.complete(new VgaRenderer(machine.vga()).textLines()));
        List<String> lines = screenText.get(30, TimeUnit.SECONDS);
        Framebuffer screen = machine.captureScreen().get(30, TimeUnit.SECONDS);
        PngWriter.write(screen, Path.of("target", "linux-vga-console.png"));

        assertEquals("720x400", screen.width() + "x" + screen.height(), "the 80x25 text console");
        List<String> kernelLines = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("[")) { // printk's "[    1.234567] ..." time stamps
                kernelLines.add(line);
            }
        }
        assertTrue(kernelLines.size() >= 5, "kernel messages on the screen:\n" + String.join("\n", lines));
        synchronized (serial) {
            for (String line : kernelLines) {
                assertTrue(serial.indexOf(line) >= 0, "on screen but never on the serial console: " + line);
            }
        }
    }

    private void awaitSerial(String text) throws InterruptedException {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (serial) {
                if (serial.indexOf(text) >= 0) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        synchronized (serial) {
            fail("'" + text + "' never appeared; serial ends with:\n" + serial.substring(Math.max(0, serial.length() - 2000)));
        }
    }
}
