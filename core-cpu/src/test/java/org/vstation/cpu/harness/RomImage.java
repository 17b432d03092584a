package org.vstation.cpu.harness;

import org.vstation.cpu.bus.MemoryMappedDevice;

/** A read-only image (a test guest's BIOS); writes are ignored, as a flash ROM ignores plain stores. */
public final class RomImage implements MemoryMappedDevice {
    private final byte[] bytes;
    private final int windowOffset;

    /** A window onto {@code bytes} starting at {@code windowOffset} (for the mirror of the image's tail below 1 MiB). */
    public RomImage(byte[] bytes, int windowOffset) {
        this.bytes = bytes;
        this.windowOffset = windowOffset;
    }

    @Override
    public String name() {
        return "test BIOS image";
    }

    @Override
    public int read(long offset, int size) {
        int at = (int) offset + windowOffset;
        int value = 0;
        for (int i = 0; i < size; i++) value |= (bytes[at + i] & 0xFF) << (8 * i);
        return value;
    }

    @Override
    public void write(long offset, int size, int value) {
        // Flash ROM: a store does nothing.
    }
}
