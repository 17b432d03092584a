package org.vstation.devices.vga;

import org.vstation.devices.bus.IoPortBus;

/**
 * Acts as a guest (or a VGA BIOS) towards a {@link StdVga}: sets the
 * standard modes ({@link StandardModes}), loads fonts into plane 2, and
 * reads and writes the 0xA0000 window.
 */
public final class VgaTestGuest {
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

    public void setMode(StandardModes.ModeTable mode) {
        StandardModes.program(ports, mode);
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
        sequencer(StdVga.SEQ_MAP_MASK, StandardModes.MODE_03H.sequencer()[1]);
        sequencer(StdVga.SEQ_MEMORY_MODE, StandardModes.MODE_03H.sequencer()[3]);
        graphics(StdVga.GC_READ_MAP_SELECT, StandardModes.MODE_03H.graphics()[4]);
        graphics(StdVga.GC_MODE, StandardModes.MODE_03H.graphics()[5]);
        graphics(StdVga.GC_MISCELLANEOUS, StandardModes.MODE_03H.graphics()[6]);
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
