package org.vstation.devices.vga;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The Bochs VBE "DISPI" interface: an index port (0x1CE) and a 16-bit data
 * port (0x1CF) that set a linear display mode directly, bypassing the VGA
 * CRTC. Follows the Bochs VBE display API (vbe_display_api.txt, interface
 * ids 0xB0C0-0xB0C5) and QEMU's standard-VGA specification for the
 * video-memory-size register.
 */
public final class BochsDispi {
    public static final int INDEX_ID = 0x0;
    public static final int INDEX_XRES = 0x1;
    public static final int INDEX_YRES = 0x2;
    public static final int INDEX_BPP = 0x3;
    public static final int INDEX_ENABLE = 0x4;
    public static final int INDEX_BANK = 0x5;
    public static final int INDEX_VIRT_WIDTH = 0x6;
    public static final int INDEX_VIRT_HEIGHT = 0x7;
    public static final int INDEX_X_OFFSET = 0x8;
    public static final int INDEX_Y_OFFSET = 0x9;
    public static final int INDEX_VIDEO_MEMORY_64K = 0xA;
    public static final int REGISTER_COUNT = 0xB;

    public static final int ID0 = 0xB0C0;
    public static final int ID5 = 0xB0C5;

    public static final int ENABLED = 0x01;
    public static final int GETCAPS = 0x02;
    public static final int EIGHT_BIT_DAC = 0x20;
    public static final int LFB_ENABLED = 0x40;
    public static final int NOCLEARMEM = 0x80;

    /** What GETCAPS reports, as QEMU's standard VGA does, so SeaVGABIOS offers the same mode list. */
    public static final int MAX_XRES = 16000;
    public static final int MAX_YRES = 12000;
    public static final int MAX_BPP = 32;

    private final VideoMemory memory;
    private final VgaDac dac;
    private final Runnable modeChanged;
    private int index;
    private int id = ID5;
    private int xres = 640;
    private int yres = 480;
    private int bpp = 8;
    private int enable;
    private int bank;
    private int virtWidth = 640;
    private int virtHeight = 480;
    private int xOffset;
    private int yOffset;

    BochsDispi(VideoMemory memory, VgaDac dac, Runnable modeChanged) {
        this.memory = memory;
        this.dac = dac;
        this.modeChanged = modeChanged;
    }

    public boolean enabled() {
        return (enable & ENABLED) != 0;
    }

    public int xres() {
        return xres;
    }

    public int yres() {
        return yres;
    }

    /** Bits per pixel as programmed; the API defines 0 to mean 8. */
    public int bpp() {
        return bpp == 0 ? 8 : bpp;
    }

    public int virtWidth() {
        return virtWidth;
    }

    public int xOffset() {
        return xOffset;
    }

    public int yOffset() {
        return yOffset;
    }

    /** Byte offset of the 64 KiB bank the 0xA0000 window shows. */
    int bankOffset() {
        return (bank << 16) & (memory.size() - 1);
    }

    /** Bytes per scan line of the virtual screen. */
    public int lineBytes() {
        return bytesPerLine(virtWidth, bpp());
    }

    private static int bytesPerLine(int width, int bitsPerPixel) {
        return bitsPerPixel == 4 ? width / 2 : width * ((bitsPerPixel + 7) / 8);
    }

    void writeIndex(int value) {
        index = value & 0xFFFF;
    }

    int readIndex() {
        return index;
    }

    int readData() {
        return read(index);
    }

    void writeData(int value) {
        write(index, value & 0xFFFF);
    }

    int read(int register) {
        boolean caps = (enable & GETCAPS) != 0;
        return switch (register) {
            case INDEX_ID -> id;
            case INDEX_XRES -> caps ? MAX_XRES : xres;
            case INDEX_YRES -> caps ? MAX_YRES : yres;
            case INDEX_BPP -> caps ? MAX_BPP : bpp;
            case INDEX_ENABLE -> enable;
            case INDEX_BANK -> bank;
            case INDEX_VIRT_WIDTH -> virtWidth;
            case INDEX_VIRT_HEIGHT -> virtHeight;
            case INDEX_X_OFFSET -> xOffset;
            case INDEX_Y_OFFSET -> yOffset;
            case INDEX_VIDEO_MEMORY_64K -> memory.size() >>> 16;
            default -> 0;
        };
    }

    void write(int register, int value) {
        switch (register) {
            case INDEX_ID -> {
                if (value >= ID0 && value <= ID5) {
                    id = value;
                }
            }
            case INDEX_XRES -> xres = value;
            case INDEX_YRES -> yres = value;
            case INDEX_BPP -> bpp = value;
            case INDEX_ENABLE -> writeEnable(value);
            case INDEX_BANK -> bank = value;
            case INDEX_VIRT_WIDTH -> {
                virtWidth = value;
                virtHeight = fittingLines();
            }
            case INDEX_VIRT_HEIGHT -> virtHeight = value;
            case INDEX_X_OFFSET -> xOffset = value;
            case INDEX_Y_OFFSET -> yOffset = value;
            default -> { }
        }
        if (register != INDEX_BANK && register != INDEX_ID) {
            modeChanged.run();
        }
    }

    private void writeEnable(int value) {
        boolean enabling = (value & ENABLED) != 0 && !enabled();
        enable = value & (ENABLED | GETCAPS | EIGHT_BIT_DAC | LFB_ENABLED | NOCLEARMEM);
        dac.setEightBitEntries((enable & EIGHT_BIT_DAC) != 0);
        if (enabling) {
            // vbe_display_api.txt: enabling starts with an unpanned virtual screen as wide as the mode.
            virtWidth = xres;
            virtHeight = fittingLines();
            xOffset = 0;
            yOffset = 0;
            if ((value & NOCLEARMEM) == 0) {
                long frameBytes = Math.min((long) lineBytes() * yres, memory.size());
                Arrays.fill(memory.bytes(), 0, (int) frameBytes, (byte) 0);
                memory.markDirty(0, (int) frameBytes);
            }
        }
    }

    /** How many lines of the virtual width fit in video memory. */
    private int fittingLines() {
        int line = lineBytes();
        return line <= 0 ? 0 : Math.min(0xFFFF, memory.size() / line);
    }

    void saveState(DataOutput out) throws IOException {
        for (int value : new int[] {index, id, xres, yres, bpp, enable, bank, virtWidth, virtHeight, xOffset, yOffset}) {
            out.writeShort(value);
        }
    }

    void restoreState(DataInput in) throws IOException {
        index = in.readUnsignedShort();
        id = in.readUnsignedShort();
        xres = in.readUnsignedShort();
        yres = in.readUnsignedShort();
        bpp = in.readUnsignedShort();
        enable = in.readUnsignedShort();
        bank = in.readUnsignedShort();
        virtWidth = in.readUnsignedShort();
        virtHeight = in.readUnsignedShort();
        xOffset = in.readUnsignedShort();
        yOffset = in.readUnsignedShort();
        dac.setEightBitEntries((enable & EIGHT_BIT_DAC) != 0);
    }
}
