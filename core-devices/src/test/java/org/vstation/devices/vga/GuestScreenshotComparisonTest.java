package org.vstation.devices.vga;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.PngWriter;
import org.vstation.fixtures.seabios.QemuSeaBiosBoot;

/**
 * Issue 6, "done when" 2: nasm guests draw known patterns in mode 13h, mode
 * 12h, a VBE 800x600x32 mode and a VBE 1024x768x8 mode with a custom palette
 * (plus text mode 3); run on our whole machine (CPU,
 * SeaBIOS, SeaVGABIOS, VGA) the screen equals QEMU's screendump of the same
 * guest pixel for pixel. The guest is an option ROM that SeaBIOS runs from
 * fw_cfg (QEMU: -option-rom), so no disk is needed. Slow: two boots each.
 */
@Tag("slow")
class GuestScreenshotComparisonTest {
    private static final int MEMORY_MEGABYTES = 64;

    @ParameterizedTest(name = "pattern {0}")
    @ValueSource(ints = {1, 2, 3, 6, 7})
    void ourScreenEqualsQemusScreendump(int pattern, @TempDir Path work) throws Exception {
        assumeTrue(QemuVgaOracle.available(), "needs qemu-system-i386 and nasm");
        Path bios = QemuSeaBiosBoot.firmware().orElse(null);
        assumeTrue(bios != null, "no SeaBIOS image: run guest-images/fetch-firmware");
        Path vgaBios = bios.resolveSibling("vgabios-stdvga.bin");
        assumeTrue(Files.isReadable(vgaBios), "no vgabios-stdvga.bin beside " + bios);

        byte[] rom = QemuVgaOracle.assemble("vga-pattern-rom.asm", work, "PATTERN=" + pattern);
        rom[rom.length - 1] = 0;
        int sum = 0;
        for (byte b : rom) {
            sum += b & 0xFF;
        }
        rom[rom.length - 1] = (byte) -sum; // option ROM checksum: all bytes add up to zero
        Path romFile = work.resolve("vga-pattern.bin");
        Files.write(romFile, rom);

        Framebuffer expected = onQemu(bios, vgaBios, romFile, work);
        Framebuffer ours = onVStation(Files.readAllBytes(bios), Files.readAllBytes(vgaBios), rom);

        assertEquals(expected.width() + "x" + expected.height(), ours.width() + "x" + ours.height(), "picture size");
        int mismatches = 0;
        String first = null;
        for (int i = 0; i < expected.pixels().length; i++) {
            if (expected.pixels()[i] != ours.pixels()[i]) {
                if (first == null) {
                    first = String.format("(%d,%d) QEMU %06x ours %06x", i % expected.width(), i / expected.width(),
                            expected.pixels()[i] & 0xFFFFFF, ours.pixels()[i] & 0xFFFFFF);
                }
                mismatches++;
            }
        }
        if (mismatches > 0) {
            Path pictures = Path.of("target", "qemu-comparison");
            PngWriter.write(expected, pictures.resolve("guest-" + pattern + "-qemu.png"));
            PngWriter.write(ours, pictures.resolve("guest-" + pattern + "-ours.png"));
        }
        assertEquals(0, mismatches, "pixels differing from QEMU's screendump, first at " + first
                + " (both pictures are in target/qemu-comparison)");
    }

    private static Framebuffer onQemu(Path bios, Path vgaBios, Path rom, Path work) throws Exception {
        Path debugLog = work.resolve("qemu-debugcon.log");
        Files.createFile(debugLog);
        try (QemuVgaOracle qemu = QemuVgaOracle.boot(List.of("-nodefaults", "-m", Integer.toString(MEMORY_MEGABYTES),
                "-bios", bios.toString(), "-global", "VGA.romfile=" + vgaBios, "-option-rom", rom.toString(),
                "-chardev", "file,path=" + debugLog + ",id=d", "-device", "isa-debugcon,iobase=0x402,chardev=d"), work)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(debugLog, StandardCharsets.ISO_8859_1).contains("done\n")) {
                assertTrue(System.nanoTime() < deadline, "the guest never finished on QEMU:\n"
                        + Files.readString(debugLog, StandardCharsets.ISO_8859_1));
                Thread.sleep(100);
            }
            return qemu.screendump();
        }
    }

    private static Framebuffer onVStation(byte[] bios, byte[] vgaBios, byte[] rom) throws Exception {
        Machine machine = new Machine("vga-guest",
                new MachineConfig().memoryMegabytes(MEMORY_MEGABYTES).biosImage(bios).vgaBiosImage(vgaBios), X86Cpu::new);
        machine.fwCfg().addFile("genroms/vga-pattern.bin", rom);
        StringBuffer log = new StringBuffer();
        machine.addDebugConsoleListener(b -> {
            log.append((char) b);
            if (b == '\n' && log.indexOf("done\n") >= 0) {
                machine.requestPowerOffFromVmThread();
            }
        });
        machine.start();
        if (!machine.awaitTermination(300, TimeUnit.SECONDS)) {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }
        assertTrue(log.indexOf("done\n") >= 0, "the guest never finished on VStation:\n" + log);
        return machine.finalScreen();
    }
}
