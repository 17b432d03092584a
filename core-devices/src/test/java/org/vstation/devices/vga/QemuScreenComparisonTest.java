package org.vstation.devices.vga;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.PngWriter;
import org.vstation.devices.vga.render.VgaRenderer;

/**
 * The renderer against QEMU's screendump, pixel for pixel: a guest sets a
 * mode through SeaVGABIOS under QEMU and draws; its VGA registers, DAC and
 * video memory, recorded by the guest itself, are loaded into our VGA as a
 * guest would (through ports and the 0xA0000 window), and our picture must
 * equal QEMU's. Needs qemu-system-i386 and nasm; skipped without them.
 * Horizontal pel panning and the split screen are left out: QEMU's picture
 * shows no pel panning in planar modes and no split in text modes, where the
 * IBM VGA has both; VgaRendererTest checks them against the specification.
 * Slow (a QEMU boot per mode), so it runs with -Pslow.
 */
@Tag("slow")
class QemuScreenComparisonTest {
    private static final int REGISTERS = 0x600;
    private static final int SEQUENCER = 0x01;
    private static final int CRTC = 0x10;
    private static final int GRAPHICS = 0x30;
    private static final int ATTRIBUTE = 0x40;
    private static final int DAC = 0x100;
    private static final int DISPI = 0x80;
    /** Patterns 6-8 are packed-pixel Bochs VBE modes, whose memory the test reads from QEMU's BAR0. */
    private static boolean vbePattern(int pattern) {
        return pattern >= 6 && pattern <= 8;
    }

    @ParameterizedTest(name = "pattern {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
    void ourPictureEqualsQemusScreendump(int pattern, @TempDir Path work) throws Exception {
        assumeTrue(QemuVgaOracle.available(), "needs qemu-system-i386 and nasm");
        Path floppy = QemuVgaOracle.assembleFloppy("vga-state-guest.asm", work, "PATTERN=" + pattern);
        byte[] registers;
        byte[] planes;
        byte[] cpuView;
        byte[] framebufferMemory = null;
        Framebuffer expected;
        try (QemuVgaOracle qemu = QemuVgaOracle.boot(floppy, work)) {
            qemu.awaitByte(0x5FF, 0x5A);
            registers = qemu.physicalMemory(REGISTERS, 0x400);
            planes = qemu.physicalMemory(0x10000, 0x40000);
            cpuView = qemu.physicalMemory(0x50000, 0x10000);
            if (vbePattern(pattern)) {
                framebufferMemory = qemu.physicalMemory(qemu.vgaFramebufferAddress(), 32 * 0x10000);
            }
            expected = qemu.screendump();
        }

        StdVga vga = new StdVga(StdVga.DEFAULT_VIDEO_MEMORY, null, () -> 0);
        VgaTestGuest guest = new VgaTestGuest(vga);
        boolean vbe = (word(registers, DISPI + 2 * BochsDispi.INDEX_ENABLE) & BochsDispi.ENABLED) != 0;
        boolean planar = !vbe || word(registers, DISPI + 2 * BochsDispi.INDEX_BPP) == 4;
        if (vbe) {
            loadDispi(guest, registers);
        }
        if (planar) {
            loadPlanes(guest, planes);
        }
        loadRegisters(guest, registers);
        if (!vbe) {
            loadThroughWindow(guest, registers, cpuView);
        } else if (!planar) {
            loadFramebuffer(guest, framebufferMemory);
        }
        VgaRenderer renderer = new VgaRenderer(vga);
        renderer.render();
        Framebuffer ours = renderer.framebuffer();

        assertEquals(expected.width() + "x" + expected.height(), ours.width() + "x" + ours.height(), "picture size");
        int mismatches = 0;
        String first = null;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                if (expected.pixel(x, y) != ours.pixel(x, y)) {
                    if (first == null) {
                        first = String.format("(%d,%d) QEMU %06x ours %06x", x, y,
                                expected.pixel(x, y) & 0xFFFFFF, ours.pixel(x, y) & 0xFFFFFF);
                    }
                    mismatches++;
                }
            }
        }
        if (mismatches > 0) {
            Path pictures = Path.of("target", "qemu-comparison");
            PngWriter.write(expected, pictures.resolve("pattern-" + pattern + "-qemu.png"));
            PngWriter.write(ours, pictures.resolve("pattern-" + pattern + "-ours.png"));
        }
        assertEquals(0, mismatches, "pixels differing from QEMU's screendump, first at " + first
                + " (both pictures are in target/qemu-comparison)");
    }

    /** Planar writes of all four planes with temporary planar access (graphics mode, A0000 64 KiB, no chaining). */
    private static void loadPlanes(VgaTestGuest guest, byte[] planes) {
        guest.sequencer(StdVga.SEQ_MEMORY_MODE, 0x06);
        guest.graphics(StdVga.GC_ENABLE_SET_RESET, 0);
        guest.graphics(StdVga.GC_DATA_ROTATE, 0);
        guest.graphics(StdVga.GC_MODE, 0);
        guest.graphics(StdVga.GC_MISCELLANEOUS, 0x05);
        guest.graphics(StdVga.GC_BIT_MASK, 0xFF);
        for (int plane = 0; plane < 4; plane++) {
            guest.sequencer(StdVga.SEQ_MAP_MASK, 1 << plane);
            for (int offset = 0; offset < 0x10000; offset++) {
                guest.writeByte(0xA0000 + offset, planes[plane * 0x10000 + offset] & 0xFF);
            }
        }
    }

    private static void loadRegisters(VgaTestGuest guest, byte[] r) {
        guest.sequencer(StdVga.SEQ_RESET, 0x01);
        guest.out(StdVga.MISC_OUTPUT_WRITE, r[0] & 0xFF);
        for (int i = 1; i < StdVga.SEQ_REGISTER_COUNT; i++) {
            guest.sequencer(i, r[SEQUENCER + i] & 0xFF);
        }
        guest.sequencer(StdVga.SEQ_RESET, r[SEQUENCER] & 0xFF);
        guest.crtc(StdVga.CRTC_VERTICAL_RETRACE_END, 0);
        for (int i = 0; i < StdVga.CRTC_REGISTER_COUNT; i++) {
            guest.crtc(i, r[CRTC + i] & 0xFF);
        }
        for (int i = 0; i < StdVga.GC_REGISTER_COUNT; i++) {
            guest.graphics(i, r[GRAPHICS + i] & 0xFF);
        }
        for (int i = 0; i < StdVga.ATTR_REGISTER_COUNT; i++) {
            guest.in(StdVga.INPUT_STATUS_1_COLOR);
            guest.out(StdVga.ATTRIBUTE_ADDRESS, i);
            guest.out(StdVga.ATTRIBUTE_ADDRESS, r[ATTRIBUTE + i] & 0xFF);
        }
        guest.in(StdVga.INPUT_STATUS_1_COLOR);
        guest.out(StdVga.ATTRIBUTE_ADDRESS, StdVga.ATTR_PALETTE_ADDRESS_SOURCE);
        for (int i = 0; i < 256; i++) {
            guest.dacEntry(i, r[DAC + 3 * i] & 0xFF, r[DAC + 3 * i + 1] & 0xFF, r[DAC + 3 * i + 2] & 0xFF);
        }
    }

    private static int word(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    /** The DISPI mode as the guest set it. */
    private static void loadDispi(VgaTestGuest guest, byte[] r) {
        int[] indexes = {BochsDispi.INDEX_XRES, BochsDispi.INDEX_YRES, BochsDispi.INDEX_BPP, BochsDispi.INDEX_ENABLE,
                BochsDispi.INDEX_VIRT_WIDTH, BochsDispi.INDEX_X_OFFSET, BochsDispi.INDEX_Y_OFFSET};
        for (int index : indexes) {
            guest.dispi(index, word(r, DISPI + 2 * index));
        }
    }

    /** Packed-pixel video memory bank by bank through the 64 KiB window. */
    private static void loadFramebuffer(VgaTestGuest guest, byte[] framebufferMemory) {
        for (int bank = 0; bank < framebufferMemory.length / 0x10000; bank++) {
            guest.dispi(BochsDispi.INDEX_BANK, bank);
            for (int offset = 0; offset < 0x10000; offset++) {
                guest.writeByte(0xA0000 + offset, framebufferMemory[bank * 0x10000 + offset] & 0xFF);
            }
        }
    }

    /**
     * Chain-4 and odd/even modes keep memory in an order of their own, so
     * their contents go in as the guest wrote them: through the mode's window.
     */
    private static void loadThroughWindow(VgaTestGuest guest, byte[] r, byte[] cpuView) {
        int memoryMode = r[SEQUENCER + StdVga.SEQ_MEMORY_MODE];
        boolean chained = (memoryMode & StdVga.MEMORY_MODE_CHAIN_4) != 0 || (memoryMode & StdVga.MEMORY_MODE_ODD_EVEN_DISABLE) == 0;
        if (!chained) {
            return;
        }
        int map = (r[GRAPHICS + StdVga.GC_MISCELLANEOUS] >> 2) & 3;
        long base = switch (map) {
            case 2 -> 0xB0000;
            case 3 -> 0xB8000;
            default -> 0xA0000;
        };
        int length = map >= 2 ? 0x8000 : 0x10000;
        for (int offset = 0; offset < length; offset++) {
            guest.writeByte(base + offset, cpuView[offset] & 0xFF);
        }
    }
}
