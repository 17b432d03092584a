package org.vstation.devices.bus;

import org.vstation.cpu.bus.IoBus;

/**
 * The 64 KiB I/O port space. Devices are placed at a base port with a length;
 * lookups are one array read. Unclaimed ports read as all ones and ignore
 * writes, as on an ISA bus with nothing driving the data lines.
 */
public final class IoPortBus implements IoBus {
    public static final int PORT_COUNT = 0x10000;

    private final IoDevice[] deviceAt = new IoDevice[PORT_COUNT];
    private final int[] baseAt = new int[PORT_COUNT];

    /** Places {@code device} at ports base..base+length-1; refuses overlaps, naming both devices. */
    public void place(IoDevice device, int base, int length) {
        if (base < 0 || length <= 0 || base + length > PORT_COUNT) {
            throw new IllegalArgumentException(String.format(
                    "%s: port range 0x%x+%d is outside 0x0000-0xFFFF", device.name(), base, length));
        }
        for (int port = base; port < base + length; port++) {
            if (deviceAt[port] != null) {
                throw new BusConflictException(String.format(
                        "%s at ports 0x%04x-0x%04x overlaps %s at port 0x%04x",
                        device.name(), base, base + length - 1, deviceAt[port].name(), port));
            }
        }
        for (int port = base; port < base + length; port++) {
            deviceAt[port] = device;
            baseAt[port] = base;
        }
    }

    /** Removes {@code device} from the range (PCI BAR moves, devices unplugged). */
    public void remove(IoDevice device, int base, int length) {
        for (int port = base; port < base + length && port < PORT_COUNT; port++) {
            if (deviceAt[port] == device) {
                deviceAt[port] = null;
            }
        }
    }

    /** The device at a port, or null. */
    public IoDevice deviceAt(int port) {
        return deviceAt[port & 0xFFFF];
    }

    @Override
    public int read(int port, int size) {
        port &= 0xFFFF;
        IoDevice device = deviceAt[port];
        if (device != null && fitsInOneRange(device, port, size)) {
            return device.ioRead(port - baseAt[port], size) & mask(size);
        }
        if (size == 1) {
            return 0xFF;
        }
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= read((port + i) & 0xFFFF, 1) << (8 * i);
        }
        return value;
    }

    @Override
    public void write(int port, int size, int value) {
        port &= 0xFFFF;
        IoDevice device = deviceAt[port];
        if (device != null && fitsInOneRange(device, port, size)) {
            device.ioWrite(port - baseAt[port], size, value & mask(size));
            return;
        }
        if (size == 1) {
            return;
        }
        for (int i = 0; i < size; i++) {
            write((port + i) & 0xFFFF, 1, value >>> (8 * i));
        }
    }

    private boolean fitsInOneRange(IoDevice device, int port, int size) {
        int last = port + size - 1;
        return last < PORT_COUNT && deviceAt[last] == device && baseAt[last] == baseAt[port];
    }

    private static int mask(int size) {
        return size == 4 ? -1 : (1 << (size * 8)) - 1;
    }
}
