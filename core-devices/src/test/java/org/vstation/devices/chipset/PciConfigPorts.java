package org.vstation.devices.chipset;

import org.vstation.devices.bus.IoPortBus;

/** Configuration mechanism #1 as a guest uses it: address dword to 0xCF8, data at 0xCFC-0xCFF. */
final class PciConfigPorts {
    private final IoPortBus io;

    PciConfigPorts(IoPortBus io) {
        this.io = io;
    }

    int read(int device, int function, int offset, int size) {
        io.write(0xCF8, 4, address(device, function, offset));
        return io.read(0xCFC + (offset & 3), size);
    }

    void write(int device, int function, int offset, int size, int value) {
        io.write(0xCF8, 4, address(device, function, offset));
        io.write(0xCFC + (offset & 3), size, value);
    }

    private static int address(int device, int function, int offset) {
        return 0x8000_0000 | device << 11 | function << 8 | (offset & 0xFC);
    }
}
