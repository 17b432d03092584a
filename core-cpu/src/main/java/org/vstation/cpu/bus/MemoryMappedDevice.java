package org.vstation.cpu.bus;

/**
 * A device (or ROM) mapped into the physical address space. It sees offsets
 * into its own window, never absolute addresses. Sizes are 1, 2 or 4 bytes,
 * and an access never crosses the end of the window (the memory splits it).
 */
public interface MemoryMappedDevice {
    String name();

    int read(long offset, int size);

    void write(long offset, int size, int value);
}
