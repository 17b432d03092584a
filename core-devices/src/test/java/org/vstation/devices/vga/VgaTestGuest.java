package org.vstation.devices.vga;

import org.vstation.devices.bus.IoPortBus;

/**
 * Acts as a guest (or a VGA BIOS) towards a {@link StdVga}: sets the
 * standard modes by writing the register values of the IBM VGA Technical
 * Reference mode tables in the order a BIOS does, loads fonts into plane 2,
 * and reads and writes the 0xA0000 window.
 */
public final class VgaTestGuest {
    /** Miscellaneous output, sequencer 1-4, CRTC 0-0x18, graphics controller 0-8, attribute controller 0-0x14. */
    public record ModeTable(int misc, int[] sequencer, int[] crtc, int[] graphics, int[] attribute) {}

    public static final ModeTable MODE_03H = new ModeTable(0x67,
            new int[] {0x00, 0x03, 0x00, 0x02},
            new int[] {0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
                    0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF},
            new int[] {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF},
            new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
                    0x0C, 0x00, 0x0F, 0x08, 0x00});

    public static final ModeTable MODE_13H = new ModeTable(0x63,
            new int[] {0x01, 0x0F, 0x00, 0x0E},
            new int[] {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                    0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF},
            new int[] {0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF},
            new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
                    0x41, 0x00, 0x0F, 0x00, 0x00});

    public static final ModeTable MODE_12H = new ModeTable(0xE3,
            new int[] {0x01, 0x0F, 0x00, 0x06},
            new int[] {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                    0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF},
            new int[] {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF},
            new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
                    0x01, 0x00, 0x0F, 0x00, 0x00});

    public static final ModeTable MODE_0DH = new ModeTable(0x63,
            new int[] {0x09, 0x0F, 0x00, 0x06},
            new int[] {0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                    0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xE3, 0xFF},
            new int[] {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF},
            new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                    0x01, 0x00, 0x0F, 0x00, 0x00});

    public static final ModeTable MODE_04H = new ModeTable(0x63,
            new int[] {0x09, 0x03, 0x00, 0x02},
            new int[] {0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                    0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF},
            new int[] {0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x00, 0xFF},
            new int[] {0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                    0x01, 0x00, 0x03, 0x00, 0x00});

    private final StdVga vga;
    private final IoPortBus ports = new IoPortBus();

    public VgaTestGuest(StdVga vga) {
        this.vga = vga;
        ports.place(vga.legacyPorts(), StdVga.LEGACY_PORT_BASE, StdVga.LEGACY_PORT_COUNT);
        ports.place(vga.dispiPorts(), StdVga.DISPI_PORT_BASE, StdVga.DISPI_PORT_COUNT);
    }

    public StdVga vga() {
        return vga;
    }

    public void out(int port, int value) {
        ports.write(port, 1, value);
    }

    public void outw(int port, int value) {
        ports.write(port, 2, value);
    }

    public int in(int port) {
        return ports.read(port, 1);
    }

    public int inw(int port) {
        return ports.read(port, 2);
    }

    public void sequencer(int index, int value) {
        outw(StdVga.SEQUENCER_INDEX, value << 8 | index);
    }

    public void graphics(int index, int value) {
        outw(StdVga.GRAPHICS_INDEX, value << 8 | index);
    }

    public void crtc(int index, int value) {
        out(StdVga.CRTC_INDEX_COLOR, index);
        out(StdVga.CRTC_DATA_COLOR, value);
    }

    public void attribute(int index, int value) {
        in(StdVga.INPUT_STATUS_1_COLOR);
        out(StdVga.ATTRIBUTE_ADDRESS, index);
        out(StdVga.ATTRIBUTE_ADDRESS, value);
        out(StdVga.ATTRIBUTE_ADDRESS, StdVga.ATTR_PALETTE_ADDRESS_SOURCE);
    }

    public void dispi(int index, int value) {
        outw(StdVga.DISPI_PORT_BASE, index);
        outw(StdVga.DISPI_PORT_BASE + 1, value);
    }

    public int dispi(int index) {
        outw(StdVga.DISPI_PORT_BASE, index);
        return inw(StdVga.DISPI_PORT_BASE + 1);
    }

    /** Loads a DAC entry with 6-bit (or, with the 8-bit DAC flag, 8-bit) components. */
    public void dacEntry(int index, int red, int green, int blue) {
        out(StdVga.DAC_WRITE_INDEX, index);
        out(StdVga.DAC_DATA, red);
        out(StdVga.DAC_DATA, green);
        out(StdVga.DAC_DATA, blue);
    }

    /** The 64 colours of the EGA-compatible DAC setup: two bits per primary (secondary bit worth 0x15, primary 0x2A). */
    public static int[] egaColor(int index) {
        int red = ((index >> 2 & 1) * 2 + (index >> 5 & 1)) * 0x15;
        int green = ((index >> 1 & 1) * 2 + (index >> 4 & 1)) * 0x15;
        int blue = ((index & 1) * 2 + (index >> 3 & 1)) * 0x15;
        return new int[] {red, green, blue};
    }

    /** Programs a mode from its table as a BIOS does: sequencer held in reset, then CRTC, GC, attributes, DAC. */
    public void setMode(ModeTable mode) {
        sequencer(StdVga.SEQ_RESET, 0x01);
        out(StdVga.MISC_OUTPUT_WRITE, mode.misc());
        for (int i = 0; i < mode.sequencer().length; i++) {
            sequencer(i + 1, mode.sequencer()[i]);
        }
        sequencer(StdVga.SEQ_RESET, 0x03);
        crtc(StdVga.CRTC_VERTICAL_RETRACE_END, mode.crtc()[StdVga.CRTC_VERTICAL_RETRACE_END] & 0x7F);
        for (int i = 0; i < mode.crtc().length; i++) {
            crtc(i, mode.crtc()[i]);
        }
        for (int i = 0; i < mode.graphics().length; i++) {
            graphics(i, mode.graphics()[i]);
        }
        in(StdVga.INPUT_STATUS_1_COLOR);
        for (int i = 0; i < mode.attribute().length; i++) {
            out(StdVga.ATTRIBUTE_ADDRESS, i);
            out(StdVga.ATTRIBUTE_ADDRESS, mode.attribute()[i]);
        }
        out(StdVga.ATTRIBUTE_ADDRESS, StdVga.ATTR_PALETTE_ADDRESS_SOURCE);
        out(StdVga.DAC_PIXEL_MASK, 0xFF);
        for (int i = 0; i < 64; i++) {
            int[] rgb = egaColor(i);
            dacEntry(i, rgb[0], rgb[1], rgb[2]);
        }
    }

    /** A recognisable 8x16 glyph for every character but 0, which is blank: row r of character c is (c + 3 r) * 37 mod 256. */
    public static int glyphRow(int character, int row) {
        return character == 0 ? 0 : ((character + 3 * row) * 37) & 0xFF;
    }

    /** Loads the test font into character map 0 of plane 2, with the sequencer and GC set up for planar access, then restores text access. */
    public void loadTestFont(int height) {
        sequencer(StdVga.SEQ_MAP_MASK, 0x04);
        sequencer(StdVga.SEQ_MEMORY_MODE, 0x06);
        graphics(StdVga.GC_READ_MAP_SELECT, 0x02);
        graphics(StdVga.GC_MODE, 0x00);
        graphics(StdVga.GC_MISCELLANEOUS, 0x04);
        for (int c = 0; c < 256; c++) {
            for (int row = 0; row < 32; row++) {
                writeByte(0xA0000 + c * 32 + row, row < height ? glyphRow(c, row) : 0);
            }
        }
        sequencer(StdVga.SEQ_MAP_MASK, MODE_03H.sequencer()[1]);
        sequencer(StdVga.SEQ_MEMORY_MODE, MODE_03H.sequencer()[3]);
        graphics(StdVga.GC_READ_MAP_SELECT, MODE_03H.graphics()[4]);
        graphics(StdVga.GC_MODE, MODE_03H.graphics()[5]);
        graphics(StdVga.GC_MISCELLANEOUS, MODE_03H.graphics()[6]);
    }

    public void writeByte(long physical, int value) {
        vga.legacyWindow().write(physical - StdVga.LEGACY_WINDOW_BASE, 1, value);
    }

    public int readByte(long physical) {
        return vga.legacyWindow().read(physical - StdVga.LEGACY_WINDOW_BASE, 1);
    }

    /** Writes a character and attribute into text page 0 at 0xB8000. */
    public void putChar(int row, int column, int character, int attribute) {
        long cell = 0xB8000 + 2L * (row * 80 + column);
        writeByte(cell, character);
        writeByte(cell + 1, attribute);
    }
}
