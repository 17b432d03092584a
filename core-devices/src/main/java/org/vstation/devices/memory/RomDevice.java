package org.vstation.devices.memory;

import org.vstation.cpu.bus.MemoryMappedDevice;

/** Read-only memory (the BIOS flash, option ROMs): reads return the image, writes are ignored. */
public final class RomDevice implements MemoryMappedDevice {
    private final String name;
    private final byte[] image;
    /** The image's offset that the start of this window shows (for mirrors of the image's tail). */
    private final int windowStart;

    public RomDevice(String name, byte[] image, int windowStart) {
        this.name = name;
        this.image = image;
        this.windowStart = windowStart;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int read(long offset, int size) {
        int at = windowStart + (int) offset;
        int value = 0;
        for (int i = 0; i < size; i++) {
            int index = at + i;
            value |= (index < image.length ? image[index] & 0xFF : 0xFF) << (8 * i);
        }
        return value;
    }

    @Override
    public void write(long offset, int size, int value) {
        // Writes to ROM are not decoded.
    }
}
