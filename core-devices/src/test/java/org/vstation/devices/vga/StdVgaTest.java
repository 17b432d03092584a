package org.vstation.devices.vga;

import static org.junit.jupiter.api.Assertions.*;
import static org.vstation.devices.vga.StdVga.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.pci.PciBus;

class StdVgaTest {
    private final long[] now = {0};
    private StdVga vga;
    private VgaTestGuest guest;

    @BeforeEach
    void setUp() {
        vga = new StdVga(DEFAULT_VIDEO_MEMORY, null, () -> now[0]);
        guest = new VgaTestGuest(vga);
    }

    /** Planar access to 0xA0000 as in mode 12h. */
    private void planar() {
        guest.setMode(StandardModes.MODE_12H);
    }

    private void fillPlanes(long address, int plane0, int plane1, int plane2, int plane3) {
        int[] values = {plane0, plane1, plane2, plane3};
        for (int plane = 0; plane < 4; plane++) {
            guest.sequencer(SEQ_MAP_MASK, 1 << plane);
            guest.writeByte(address, values[plane]);
        }
        guest.sequencer(SEQ_MAP_MASK, 0x0F);
    }

    private int readPlane(long address, int plane) {
        guest.graphics(GC_READ_MAP_SELECT, plane);
        return guest.readByte(address);
    }

    @Test
    void writeModeZeroAppliesRotateLogicalOperationAndBitMask() {
        planar();
        fillPlanes(0xA0000, 0xF0, 0xF0, 0xF0, 0xF0);
        guest.readByte(0xA0000); // latches = F0 in every plane
        guest.graphics(GC_DATA_ROTATE, 0x18 | 4); // XOR, rotate right by 4
        guest.graphics(GC_BIT_MASK, 0x3C);
        guest.writeByte(0xA0000, 0x0F); // rotated: F0; F0 ^ F0 = 00; mask 3C keeps latch outside
        for (int plane = 0; plane < 4; plane++) {
            assertEquals(0xC0, readPlane(0xA0000, plane), "plane " + plane);
        }
    }

    @Test
    void setResetReplacesDataForEnabledPlanesOnly() {
        planar();
        guest.graphics(GC_SET_RESET, 0b0101);
        guest.graphics(GC_ENABLE_SET_RESET, 0b0011);
        guest.writeByte(0xA0010, 0xAA);
        assertEquals(0xFF, readPlane(0xA0010, 0));
        assertEquals(0x00, readPlane(0xA0010, 1));
        assertEquals(0xAA, readPlane(0xA0010, 2), "no set/reset: CPU data");
        assertEquals(0xAA, readPlane(0xA0010, 3));
    }

    @Test
    void writeModeOneCopiesTheLatches() {
        planar();
        fillPlanes(0xA0100, 0x11, 0x22, 0x33, 0x44);
        guest.graphics(GC_MODE, 0x01);
        guest.readByte(0xA0100);
        guest.writeByte(0xA0200, 0x00);
        guest.graphics(GC_MODE, 0x00);
        assertArrayEquals(new int[] {0x11, 0x22, 0x33, 0x44},
                new int[] {readPlane(0xA0200, 0), readPlane(0xA0200, 1), readPlane(0xA0200, 2), readPlane(0xA0200, 3)});
    }

    @Test
    void writeModeThreeUsesRotatedDataAsBitMaskAndSetResetAsColour() {
        planar();
        fillPlanes(0xA0020, 0, 0, 0, 0);
        guest.readByte(0xA0020);
        guest.graphics(GC_MODE, 0x03);
        guest.graphics(GC_SET_RESET, 0b1010);
        guest.graphics(GC_BIT_MASK, 0xF0);
        guest.writeByte(0xA0020, 0x3C); // effective mask F0 & 3C = 30
        guest.graphics(GC_MODE, 0x00);
        assertEquals(0x00, readPlane(0xA0020, 0));
        assertEquals(0x30, readPlane(0xA0020, 1));
        assertEquals(0x00, readPlane(0xA0020, 2));
        assertEquals(0x30, readPlane(0xA0020, 3));
    }

    @Test
    void readModeOneComparesColours() {
        planar();
        fillPlanes(0xA0030, 0b1100, 0b1010, 0b0000, 0b1111);
        guest.graphics(GC_MODE, MODE_READ_MODE_1);
        guest.graphics(GC_COLOR_COMPARE, 0b1011);
        guest.graphics(GC_COLOR_DONT_CARE, 0x0F);
        assertEquals(0b1000, guest.readByte(0xA0030), "only bit 3 has colour 1011");
        guest.graphics(GC_COLOR_DONT_CARE, 0b0001);
        assertEquals(0b1100 | 0xF0, guest.readByte(0xA0030) | 0xF0, "only plane 0 compared");
    }

    @Test
    void memoryMapSelectChoosesTheWindow() {
        guest.setMode(StandardModes.MODE_03H);
        guest.writeByte(0xB8000, 'x');
        assertEquals('x', guest.readByte(0xB8000));
        assertEquals(0xFF, guest.readByte(0xA0000), "0xA0000 is not decoded in text mode");
        guest.writeByte(0xB0000, 1);
        assertEquals('x', guest.readByte(0xB8000), "0xB0000 writes go nowhere");
    }

    @Test
    void attributeFlipFlopResetsOnInputStatusRead() {
        guest.in(INPUT_STATUS_1_COLOR);
        guest.out(ATTRIBUTE_ADDRESS, ATTR_COLOR_PLANE_ENABLE);
        guest.out(ATTRIBUTE_ADDRESS, 0x05);
        assertEquals(0x05, guest.in(ATTRIBUTE_DATA_READ));
        guest.out(ATTRIBUTE_ADDRESS, ATTR_HORIZONTAL_PEL_PANNING); // flip-flop was back at "address"
        guest.in(INPUT_STATUS_1_COLOR);
        guest.out(ATTRIBUTE_ADDRESS, ATTR_COLOR_PLANE_ENABLE | ATTR_PALETTE_ADDRESS_SOURCE);
        assertEquals(ATTR_COLOR_PLANE_ENABLE | ATTR_PALETTE_ADDRESS_SOURCE, guest.in(ATTRIBUTE_ADDRESS));
        assertEquals(0x05, guest.in(ATTRIBUTE_DATA_READ));
    }

    @Test
    void crtcFollowsTheMonochromeOrColourAddress() {
        guest.out(MISC_OUTPUT_WRITE, 0x67);
        guest.crtc(CRTC_OFFSET, 0x28);
        assertEquals(0xFF, guest.in(CRTC_DATA_MONO), "0x3B5 floats in colour emulation");
        guest.out(MISC_OUTPUT_WRITE, 0x66);
        guest.out(CRTC_INDEX_MONO, CRTC_OFFSET);
        assertEquals(0x28, guest.in(CRTC_DATA_MONO));
        assertEquals(0x66, guest.in(MISC_OUTPUT_READ));
    }

    @Test
    void crtcProtectBitGuardsTheTimingRegisters() {
        guest.crtc(CRTC_VERTICAL_RETRACE_END, 0x80);
        guest.crtc(CRTC_HORIZONTAL_TOTAL, 0x12);
        guest.crtc(CRTC_OVERFLOW, 0xFF);
        guest.out(CRTC_INDEX_COLOR, CRTC_HORIZONTAL_TOTAL);
        assertEquals(0x00, guest.in(CRTC_DATA_COLOR));
        guest.out(CRTC_INDEX_COLOR, CRTC_OVERFLOW);
        assertEquals(0x10, guest.in(CRTC_DATA_COLOR), "only the line compare bit of the overflow register");
    }

    @Test
    void dacAutoIncrementsOverThreeComponents() {
        guest.dacEntry(10, 1, 2, 3);
        guest.dacEntry(11, 4, 5, 0x7F);
        guest.out(DAC_READ_INDEX, 10);
        assertEquals(VgaDac.STATE_READ, guest.in(DAC_READ_INDEX));
        int[] read = new int[6];
        for (int i = 0; i < 6; i++) {
            read[i] = guest.in(DAC_DATA);
        }
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 0x3F}, read, "6-bit entries");
        assertEquals(0xFF1017FF, vga.dac().argb(11), "6-bit values widen to 8 bits");
    }

    @Test
    void verticalRetraceRecursAtSeventyHertzInTextMode() {
        guest.setMode(StandardModes.MODE_03H);
        long frame = vga.framePeriodNanos();
        assertEquals(1e9 / 70.0, frame, 1e9 / 70.0 * 0.01, "mode 3 runs at 70 Hz");
        long line = frame / 449;
        now[0] = 10 * frame + 100 * line;
        int visible = guest.in(INPUT_STATUS_1_COLOR);
        assertEquals(0, visible & INPUT_STATUS_1_VERTICAL_RETRACE);
        now[0] = 10 * frame + 0x19C * line + line / 2; // vertical retrace start
        assertEquals(INPUT_STATUS_1_VERTICAL_RETRACE | INPUT_STATUS_1_DISPLAY_DISABLED,
                guest.in(INPUT_STATUS_1_COLOR) & 0x09);
        now[0] = 10 * frame + 0x19C * line + 3 * line; // two lines later it has ended
        assertEquals(0, guest.in(INPUT_STATUS_1_COLOR) & INPUT_STATUS_1_VERTICAL_RETRACE);
        guest.setMode(StandardModes.MODE_12H);
        assertEquals(1e9 / 60.0, vga.framePeriodNanos(), 1e9 / 60.0 * 0.01, "mode 12h runs at 60 Hz");
    }

    @Test
    void retraceIsSeenWithAbsurdTiming() {
        guest.crtc(CRTC_HORIZONTAL_TOTAL, 0);
        int retraces = 0;
        for (int step = 0; step < 1000; step++) {
            now[0] += 50_000;
            retraces += guest.in(INPUT_STATUS_1_COLOR) >> 3 & 1;
        }
        assertTrue(retraces > 0, "60 Hz fallback timing still retraces");
    }

    @Test
    void dispiAnswersIdsCapabilitiesAndMemorySize() {
        guest.dispi(BochsDispi.INDEX_ID, BochsDispi.ID0);
        assertEquals(BochsDispi.ID0, guest.dispi(BochsDispi.INDEX_ID));
        guest.dispi(BochsDispi.INDEX_ID, 0x1234);
        assertEquals(BochsDispi.ID0, guest.dispi(BochsDispi.INDEX_ID), "unknown ids are ignored");
        guest.dispi(BochsDispi.INDEX_ENABLE, BochsDispi.GETCAPS);
        assertEquals(16000, guest.dispi(BochsDispi.INDEX_XRES), "QEMU reports 16000x12000x32");
        assertEquals(12000, guest.dispi(BochsDispi.INDEX_YRES));
        assertEquals(BochsDispi.MAX_BPP, guest.dispi(BochsDispi.INDEX_BPP));
        assertEquals(256, guest.dispi(BochsDispi.INDEX_VIDEO_MEMORY_64K), "16 MiB");
    }

    @Test
    void dispiEnableResetsTheVirtualScreenAndClearsMemory() {
        vga.memory().bytes()[100] = 7;
        guest.dispi(BochsDispi.INDEX_XRES, 800);
        guest.dispi(BochsDispi.INDEX_YRES, 600);
        guest.dispi(BochsDispi.INDEX_BPP, 32);
        guest.dispi(BochsDispi.INDEX_ENABLE, BochsDispi.ENABLED | BochsDispi.LFB_ENABLED);
        assertEquals(800, guest.dispi(BochsDispi.INDEX_VIRT_WIDTH));
        assertEquals(16 * 1024 * 1024 / (800 * 4), guest.dispi(BochsDispi.INDEX_VIRT_HEIGHT));
        assertEquals(0, vga.memory().bytes()[100]);
        guest.dispi(BochsDispi.INDEX_BANK, 3);
        guest.writeByte(0xA0005, 0x5A);
        assertEquals(0x5A, vga.memory().bytes()[3 * 0x10000 + 5]);
        assertEquals(0x5A, guest.readByte(0xA0005));
    }

    @Test
    void pciHeaderAndBarsAsQemuStandardVga() {
        PhysicalMemory memory = new PhysicalMemory(1 << 20);
        IoPortBus io = new IoPortBus();
        PciBus bus = new PciBus(io, memory);
        StdVga withRom = new StdVga(DEFAULT_VIDEO_MEMORY, new byte[] {0x55, (byte) 0xAA, 0x40}, () -> 0);
        bus.attach(2, 0, withRom);
        int address = 0x8000_0000 | 2 << 11;
        io.write(0xCF8, 4, address);
        assertEquals(0x1111_1234, io.read(0xCFC, 4));
        io.write(0xCF8, 4, address | 0x08);
        assertEquals(0x0300_0002, io.read(0xCFC, 4), "class VGA, revision 2");
        io.write(0xCF8, 4, address | 0x10);
        io.write(0xCFC, 4, -1);
        assertEquals(0xFF00_0008, io.read(0xCFC, 4), "16 MiB prefetchable BAR0");
        io.write(0xCFC, 4, 0xFD00_0000);
        io.write(0xCF8, 4, address | 0x30);
        io.write(0xCFC, 4, 0xFEB0_0001);
        io.write(0xCF8, 4, address | 0x04);
        io.write(0xCFC, 2, 0x0003);
        assertEquals(0xAA55, memory.read16(0xFEB0_0000L), "expansion ROM shows the VGA BIOS");
        memory.write32(0xFD00_0000L + 0x1000, 0xCAFEBABE);
        assertEquals(0xCAFEBABE, (int) java.nio.ByteBuffer.wrap(withRom.memory().bytes(), 0x1000, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(), "BAR0 is video memory");
        assertTrue(withRom.memory().isDirty(0x1000, 4));
    }

    @Test
    void mmioBarAliasesPortsAndDispiRegisters() {
        PhysicalMemory memory = new PhysicalMemory(1 << 20);
        IoPortBus io = new IoPortBus();
        PciBus bus = new PciBus(io, memory);
        bus.attach(2, 0, vga);
        int address = 0x8000_0000 | 2 << 11;
        io.write(0xCF8, 4, address | 0x18);
        io.write(0xCFC, 4, 0xFEBF_0000);
        io.write(0xCF8, 4, address | 0x04);
        io.write(0xCFC, 2, 0x0002);
        memory.write16(0xFEBF_0000L + 0x500 + 2 * BochsDispi.INDEX_XRES, 1024);
        assertEquals(1024, vga.dispi().xres());
        memory.write16(0xFEBF_0000L + 0x400 + (SEQUENCER_INDEX - 0x3C0), 0x0F02);
        assertEquals(0x0F, vga.sequencerRegister(SEQ_MAP_MASK), "a word write sets index then data");
        assertEquals(0x1E1E1E1E, memory.read32(0xFEBF_0000L + 0x604));
    }

    @Test
    void snapshotRestoresRegistersAndMemory() throws Exception {
        guest.setMode(StandardModes.MODE_13H);
        guest.dacEntry(5, 1, 2, 3);
        guest.writeByte(0xA0123, 0x77);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        vga.saveState(new DataOutputStream(saved));

        StdVga restored = new StdVga(DEFAULT_VIDEO_MEMORY, null, () -> 0);
        restored.restoreState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        assertEquals(0x77, new VgaTestGuest(restored).readByte(0xA0123));
        assertEquals(vga.dac().argb(5), restored.dac().argb(5));
        assertEquals(0x41, restored.attributeRegister(ATTR_MODE_CONTROL));
        assertEquals(0x63, restored.miscOutput());
    }
}
