package org.vstation.devices.vga;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.fixtures.seabios.QemuSeaBiosBoot;
import org.vstation.fixtures.seabios.QemuSeaBiosScreen;
import org.vstation.fixtures.seabios.SeaBiosDebugLog;

/**
 * Issue 6, "done when" 1: SeaBIOS with SeaVGABIOS, booted without boot
 * media, shows the same text on our VGA as on QEMU's standard VGA, line by
 * line (read from the text buffer at 0xB8000 on both). Slow: two boots.
 */
@Tag("slow")
class SeaBiosScreenComparisonTest {
    private static final int MEMORY_MEGABYTES = 64;

    @Test
    void seaBiosScreenMatchesQemu() throws Exception {
        assumeTrue(QemuSeaBiosBoot.qemuAvailable(), "qemu-system-i386 not installed");
        Path bios = QemuSeaBiosBoot.firmware().orElse(null);
        assumeTrue(bios != null, "no SeaBIOS image: run guest-images/fetch-firmware");
        Path vgaBios = bios.resolveSibling("vgabios-stdvga.bin");
        assumeTrue(Files.isReadable(vgaBios), "no vgabios-stdvga.bin beside " + bios);

        List<String> qemu = QemuSeaBiosScreen.bootScreen(bios, vgaBios, MEMORY_MEGABYTES, Duration.ofSeconds(30));
        List<String> ours = bootOnVStation(Files.readAllBytes(bios), Files.readAllBytes(vgaBios));
        for (int row = 0; row < QemuSeaBiosScreen.ROWS; row++) {
            assertEquals(qemu.get(row), ours.get(row), "line " + row + "\nQEMU:\n" + String.join("\n", qemu)
                    + "\nVStation:\n" + String.join("\n", ours));
        }
    }

    private static List<String> bootOnVStation(byte[] bios, byte[] vgaBios) throws InterruptedException {
        Machine machine = new Machine("seabios-screen",
                new MachineConfig().memoryMegabytes(MEMORY_MEGABYTES).biosImage(bios).vgaBiosImage(vgaBios), X86Cpu::new);
        StringBuffer log = new StringBuffer();
        machine.addDebugConsoleListener(b -> {
            log.append((char) b);
            // Stop at the end of the line, once SeaBIOS has also put the whole message on the screen.
            if (b == '\n' && log.indexOf(SeaBiosDebugLog.NO_BOOTABLE_DEVICE) >= 0) {
                machine.requestPowerOffFromVmThread();
            }
        });
        machine.start();
        if (!machine.awaitTermination(180, TimeUnit.SECONDS)) {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }
        assertTrue(log.indexOf(SeaBiosDebugLog.NO_BOOTABLE_DEVICE) >= 0,
                "SeaBIOS did not reach '" + SeaBiosDebugLog.NO_BOOTABLE_DEVICE + "' on VStation:\n" + log);
        byte[] text = new byte[2 * QemuSeaBiosScreen.COLUMNS * QemuSeaBiosScreen.ROWS];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) machine.memory().read8(QemuSeaBiosScreen.TEXT_BUFFER + i);
        }
        return QemuSeaBiosScreen.textLines(text);
    }
}
