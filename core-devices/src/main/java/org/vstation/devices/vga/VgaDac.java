package org.vstation.devices.vga;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The VGA's palette DAC (an INMOS IMS G171-compatible RAMDAC): 256 entries of
 * 6-bit red, green and blue, loaded and read three bytes at a time through an
 * auto-incrementing index, and a pixel mask applied before the lookup.
 * Follows the IBM VGA Technical Reference, "Video DAC" (ports 0x3C6-0x3C9).
 *
 * <p>With Bochs VBE's 8-bit DAC flag set the entries hold full 8-bit values.
 */
public final class VgaDac {
    /** DAC state register (read at 0x3C7): 0 = in write mode, 3 = in read mode. */
    public static final int STATE_WRITE = 0x00;
    public static final int STATE_READ = 0x03;

    private final byte[] palette = new byte[256 * 3];
    /** ARGB of each entry, kept in step with {@link #palette} for the renderer. */
    private final int[] argb = new int[256];
    private int writeIndex;
    private int readIndex;
    private int writeComponent;
    private int readComponent;
    private final byte[] pendingWrite = new byte[3];
    private int state = STATE_WRITE;
    private int pixelMask = 0xFF;
    private boolean eightBitEntries;
    private int changeCount;

    public int pixelMask() {
        return pixelMask;
    }

    void setPixelMask(int mask) {
        if (pixelMask != mask) {
            pixelMask = mask;
            changeCount++;
        }
    }

    /** Incremented whenever a colour the renderer may show changes. */
    public int changeCount() {
        return changeCount;
    }

    /** The colour of a palette entry as opaque ARGB (pixel mask not applied). */
    public int argb(int index) {
        return argb[index & 0xFF];
    }

    void setEightBitEntries(boolean eightBit) {
        if (eightBitEntries != eightBit) {
            eightBitEntries = eightBit;
            for (int i = 0; i < 256; i++) {
                updateArgb(i);
            }
            changeCount++;
        }
    }

    int state() {
        return state;
    }

    int writeIndex() {
        return writeIndex;
    }

    /** Port 0x3C7 written: subsequent data reads start at this entry. */
    void setReadIndex(int index) {
        readIndex = index & 0xFF;
        readComponent = 0;
        state = STATE_READ;
    }

    /** Port 0x3C8 written: subsequent data writes start at this entry. */
    void setWriteIndex(int index) {
        writeIndex = index & 0xFF;
        writeComponent = 0;
        state = STATE_WRITE;
    }

    /** Port 0x3C9 written: one of red, green, blue; the entry changes once all three arrived. */
    void writeData(int value) {
        pendingWrite[writeComponent] = (byte) (eightBitEntries ? value : value & 0x3F);
        if (++writeComponent == 3) {
            System.arraycopy(pendingWrite, 0, palette, writeIndex * 3, 3);
            updateArgb(writeIndex);
            changeCount++;
            writeComponent = 0;
            writeIndex = (writeIndex + 1) & 0xFF;
        }
    }

    /** Port 0x3C9 read. */
    int readData() {
        int value = palette[readIndex * 3 + readComponent] & 0xFF;
        if (++readComponent == 3) {
            readComponent = 0;
            readIndex = (readIndex + 1) & 0xFF;
        }
        return value;
    }

    private void updateArgb(int index) {
        argb[index] = 0xFF00_0000 | widen(palette[index * 3]) << 16 | widen(palette[index * 3 + 1]) << 8
                | widen(palette[index * 3 + 2]);
    }

    /**
     * 6-bit DAC values drive the full output range (0x3F is full intensity);
     * the two low bits copy the lowest, as QEMU's screendumps show.
     */
    private int widen(byte component) {
        int c = component & 0xFF;
        if (eightBitEntries) {
            return c;
        }
        c &= 0x3F;
        return c << 2 | (c & 1) * 3;
    }

    void saveState(DataOutput out) throws IOException {
        out.write(palette);
        out.write(pendingWrite);
        out.writeByte(writeIndex);
        out.writeByte(readIndex);
        out.writeByte(writeComponent);
        out.writeByte(readComponent);
        out.writeByte(state);
        out.writeByte(pixelMask);
        out.writeBoolean(eightBitEntries);
    }

    void restoreState(DataInput in) throws IOException {
        in.readFully(palette);
        in.readFully(pendingWrite);
        writeIndex = in.readUnsignedByte();
        readIndex = in.readUnsignedByte();
        writeComponent = in.readUnsignedByte() % 3;
        readComponent = in.readUnsignedByte() % 3;
        state = in.readUnsignedByte();
        pixelMask = in.readUnsignedByte();
        eightBitEntries = in.readBoolean();
        for (int i = 0; i < 256; i++) {
            updateArgb(i);
        }
        changeCount++;
    }
}
