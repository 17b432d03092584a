package org.vstation.devices.vga;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.devices.timer.Mc146818Rtc.BootDevice;
import org.vstation.fixtures.seabios.QemuSeaBiosBoot;
import org.vstation.fixtures.seabios.QemuSeaBiosScreen;
import org.vstation.fixtures.seabios.SeaBiosDebugLog;

/**
 * Issue 6, "done when" 1: SeaBIOS with SeaVGABIOS, booted without bootable
 * media, shows the same text on our VGA as on QEMU's standard VGA, line by
 * line (read from the text buffer at 0xB8000 on both): the banner and one
 * "Booting from" line per device in the boot order, so the boot order that
 * reaches SeaBIOS (CMOS 0x3D/0x38) is the one QEMU gives it. Slow: two boots
 * per case.
 */
@Tag("slow")
class SeaBiosScreenComparisonTest {
    private static final int MEMORY_MEGABYTES = 64;

    @TempDir
    Path temp;

    /**
     * QEMU's {@code pc} machine always adds its vapic option ROM (kvmvapic.bin, which patches guest
     * TPR accesses to the local APIC). SeaBIOS runs it as a legacy option ROM, and that entry moves
     * "Hard Disk" to the front when there is no disk. Our machine has no APIC, so the QEMU machine to
     * compare a disk-less boot with is one without that ROM; with a disk it makes no difference.
     */
    private static final List<String> QEMU_WITHOUT_VAPIC = List.of("-global", "apic-common.vapic=off");

    @ParameterizedTest(name = "disk={0}, boot order={1}")
    @CsvSource({
            "empty, default", // a new VM: empty disk first, then the CD (QEMU's "cad")
            "empty, dc",      // -boot order=dc, as a VM configured to boot its CD first
            "none, default"   // no disk at all: the CD first whatever the order
    })
    void seaBiosScreenMatchesQemu(String disk, String qemuBootOrder) throws Exception {
        assumeTrue(QemuSeaBiosBoot.qemuAvailable(), "qemu-system-i386 not installed");
        Path bios = QemuSeaBiosBoot.firmware().orElse(null);
        assumeTrue(bios != null, "no SeaBIOS image: run guest-images/fetch-firmware");
        Path vgaBios = bios.resolveSibling("vgabios-stdvga.bin");
        assumeTrue(Files.isReadable(vgaBios), "no vgabios-stdvga.bin beside " + bios);

        Path image = null;
        if (disk.equals("empty")) {
            image = temp.resolve("empty.img");
            RawDiskImage.create(image, 16 << 20);
        }
        String order = qemuBootOrder.equals("default") ? null : qemuBootOrder;
        List<String> qemu = QemuSeaBiosScreen.bootScreen(bios, vgaBios, MEMORY_MEGABYTES, image, order,
                image == null ? QEMU_WITHOUT_VAPIC : List.of(), Duration.ofSeconds(30));

        MachineConfig config = new MachineConfig().memoryMegabytes(MEMORY_MEGABYTES)
                .biosImage(Files.readAllBytes(bios)).vgaBiosImage(Files.readAllBytes(vgaBios));
        if (image != null) {
            config.diskImage(RawDiskImage.open(image));
        }
        if (order != null) {
            config.bootOrder(bootDevices(order));
        }
        List<String> ours = bootOnVStation(config);
        assertTrue(qemu.stream().anyMatch(line -> line.startsWith("Booting from")), String.join("\n", qemu));
        for (int row = 0; row < QemuSeaBiosScreen.ROWS; row++) {
            assertEquals(qemu.get(row), ours.get(row), "line " + row + "\nQEMU:\n" + String.join("\n", qemu)
                    + "\nVStation:\n" + String.join("\n", ours));
        }
    }

    /** QEMU's drive letters: a floppy, c hard disk, d CD-ROM, n network. */
    private static List<BootDevice> bootDevices(String letters) {
        return letters.chars().mapToObj(letter -> switch (letter) {
            case 'a' -> BootDevice.FLOPPY;
            case 'c' -> BootDevice.HARD_DISK;
            case 'd' -> BootDevice.CD_ROM;
            case 'n' -> BootDevice.NETWORK;
            default -> throw new IllegalArgumentException("no QEMU boot device '" + (char) letter + "'");
        }).toList();
    }

    private static List<String> bootOnVStation(MachineConfig config) throws InterruptedException {
        Machine machine = new Machine("seabios-screen", config, X86Cpu::new);
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
