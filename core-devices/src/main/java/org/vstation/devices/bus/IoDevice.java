package org.vstation.devices.bus;

/**
 * A device's window of I/O ports. It sees offsets into its own range, never
 * absolute port numbers: the {@link IoPortBus} places it. Sizes are 1, 2 or
 * 4 bytes, and an access never crosses the end of the range (the bus splits
 * it into bytes). A device with several separate ranges (IDE's command block
 * and control register) places one IoDevice per range.
 */
public interface IoDevice {
    /** The name used in placement errors and logs, e.g. "COM1 (16550A)". */
    String name();

    int ioRead(int offset, int size);

    void ioWrite(int offset, int size, int value);

    /** Convenience for small devices: one range built from two lambdas. */
    static IoDevice of(String name, Reader reader, Writer writer) {
        return new IoDevice() {
            @Override public String name() { return name; }
            @Override public int ioRead(int offset, int size) { return reader.read(offset, size); }
            @Override public void ioWrite(int offset, int size, int value) { writer.write(offset, size, value); }
        };
    }

    @FunctionalInterface interface Reader { int read(int offset, int size); }

    @FunctionalInterface interface Writer { void write(int offset, int size, int value); }
}
