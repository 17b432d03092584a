package org.vstation.devices.pci;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vstation.cpu.bus.MemoryMappedDevice;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * One PCI function: a type-0 configuration header (PCI Local Bus
 * Specification 3.0, chapter 6) with its BARs, command/status registers and
 * INTx pin. Subclasses describe their BARs and device-specific registers; the
 * {@link PciBus} places BAR windows on the I/O and memory buses when the guest
 * programs them, so a device only ever sees offsets into its own BARs.
 */
public abstract class PciDevice implements Snapshottable {
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int CLASS_CODE = 0x09;
    public static final int CACHE_LINE_SIZE = 0x0C;
    public static final int LATENCY_TIMER = 0x0D;
    public static final int HEADER_TYPE = 0x0E;
    public static final int BAR0 = 0x10;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    public static final int SUBSYSTEM_ID = 0x2E;
    public static final int EXPANSION_ROM = 0x30;
    public static final int INTERRUPT_LINE = 0x3C;
    public static final int INTERRUPT_PIN = 0x3D;

    public static final int COMMAND_IO_SPACE = 1;
    public static final int COMMAND_MEMORY_SPACE = 1 << 1;
    public static final int COMMAND_BUS_MASTER = 1 << 2;
    public static final int COMMAND_INTX_DISABLE = 1 << 10;
    public static final int STATUS_INTERRUPT = 1 << 3;

    private static final int BAR_COUNT = 6;
    /** Index used for the expansion ROM BAR in {@link Bar} bookkeeping. */
    static final int ROM_BAR = BAR_COUNT;

    /** A base address register and the handler behind it. */
    static final class Bar {
        final int size;
        final boolean io;
        final boolean prefetchable;
        final IoDevice ioHandler;
        final MemoryMappedDevice memoryHandler;
        /** Where the bus has placed the window (-1 when not placed). */
        long placedAt = -1;

        Bar(int size, boolean io, boolean prefetchable, IoDevice ioHandler, MemoryMappedDevice memoryHandler) {
            this.size = size;
            this.io = io;
            this.prefetchable = prefetchable;
            this.ioHandler = ioHandler;
            this.memoryHandler = memoryHandler;
        }
    }

    private final String name;
    protected final byte[] config = new byte[256];
    private final byte[] writableBits = new byte[256];
    final Bar[] bars = new Bar[BAR_COUNT + 1];
    private boolean interruptAsserted;
    /** The level the bus last counted on this function's PIRQ wire. */
    boolean lastRoutedLevel;
    PciBus bus;

    protected PciDevice(String name, int vendorId, int deviceId, int revision, int classCode) {
        this.name = name;
        putConfig(VENDOR_ID, 2, vendorId);
        putConfig(DEVICE_ID, 2, deviceId);
        putConfig(REVISION_ID, 1, revision);
        putConfig(CLASS_CODE, 3, classCode);
        setWritable(COMMAND, 2, COMMAND_IO_SPACE | COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE);
        setWritable(CACHE_LINE_SIZE, 1, 0xFF);
        setWritable(LATENCY_TIMER, 1, 0xFF);
        setWritable(INTERRUPT_LINE, 1, 0xFF);
    }

    public String name() {
        return name;
    }

    // ---- for subclasses: describing the function ---------------------------

    /** Sets read-only configuration bytes (ids, class, capability values). */
    protected final void putConfig(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            config[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    protected final int getConfig(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= (config[offset + i] & 0xFF) << (8 * i);
        }
        return value;
    }

    /** Marks which bits of a device-specific register the guest may change. */
    protected final void setWritable(int offset, int size, int mask) {
        for (int i = 0; i < size; i++) {
            writableBits[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    protected final void setSubsystem(int subsystemVendorId, int subsystemId) {
        putConfig(SUBSYSTEM_VENDOR_ID, 2, subsystemVendorId);
        putConfig(SUBSYSTEM_ID, 2, subsystemId);
    }

    /** INTA# = 1 ... INTD# = 4; 0 for no interrupt. */
    protected final void setInterruptPin(int pin) {
        putConfig(INTERRUPT_PIN, 1, pin);
    }

    /** An I/O BAR of {@code size} ports (a power of two, at least 4). */
    protected final void defineIoBar(int index, int size, IoDevice handler) {
        checkBarSize(size, 4);
        bars[index] = new Bar(size, true, false, handler, null);
        putConfig(BAR0 + 4 * index, 4, 1);
    }

    /**
     * A 32-bit memory BAR of {@code size} bytes. Windows are placed with 4 KiB
     * granularity, so memory BARs are at least 4 KiB (a guest that sizes them
     * simply sees a larger window, which the PCI specification allows).
     */
    protected final void defineMemoryBar(int index, int size, boolean prefetchable, MemoryMappedDevice handler) {
        checkBarSize(size, 4096);
        bars[index] = new Bar(size, false, prefetchable, null, handler);
        putConfig(BAR0 + 4 * index, 4, prefetchable ? 0x8 : 0);
    }

    /** The expansion ROM (an option ROM image such as the VGA BIOS), shown read-only when enabled. */
    protected final void defineExpansionRom(byte[] image) {
        int size = Integer.highestOneBit(Math.max(image.length, 4096) - 1) << 1;
        byte[] padded = java.util.Arrays.copyOf(image, size);
        MemoryMappedDevice rom = new MemoryMappedDevice() {
            @Override public String name() { return PciDevice.this.name + " option ROM"; }
            @Override public int read(long offset, int accessSize) {
                int value = 0;
                for (int i = 0; i < accessSize; i++) {
                    value |= (padded[(int) offset + i] & 0xFF) << (8 * i);
                }
                return value;
            }
            @Override public void write(long offset, int accessSize, int value) { }
        };
        bars[ROM_BAR] = new Bar(size, false, false, null, rom);
    }

    private static void checkBarSize(int size, int minimum) {
        if (size < minimum || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size must be a power of two of at least " + minimum + ": " + size);
        }
    }

    /** Called after the guest wrote device-specific configuration bytes (offset 0x40 and up, or ones made writable). */
    protected void configWritten(int offset, int size) {
    }

    /** Device-specific registers that are computed on read can override this. */
    protected int configReadHook(int offset, int size, int storedValue) {
        return storedValue;
    }

    // ---- interrupts ---------------------------------------------------------

    /** Drives this function's INTx# pin; the bus routes it through PIRQ A-D. */
    protected final void setInterruptLevel(boolean asserted) {
        interruptAsserted = asserted;
        int status = getConfig(STATUS, 2);
        putConfig(STATUS, 2, asserted ? status | STATUS_INTERRUPT : status & ~STATUS_INTERRUPT);
        if (bus != null) {
            bus.interruptChanged(this);
        }
    }

    /** The pin's effective level: asserted and not masked by COMMAND.INTx-disable. */
    boolean interruptOutput() {
        return interruptAsserted && (getConfig(COMMAND, 2) & COMMAND_INTX_DISABLE) == 0;
    }

    public final boolean isBusMaster() {
        return (getConfig(COMMAND, 2) & COMMAND_BUS_MASTER) != 0;
    }

    // ---- configuration access from the bus ------------------------------------

    public final int configRead(int offset, int size) {
        return configReadHook(offset, size, getConfig(offset, size));
    }

    public final void configWrite(int offset, int size, int value) {
        boolean touchesPlacement = false;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int b = (value >>> (8 * i)) & 0xFF;
            if (at >= BAR0 && at < BAR0 + 4 * BAR_COUNT) {
                writeBarByte((at - BAR0) / 4, at & 3, b);
                touchesPlacement = true;
            } else if (at >= EXPANSION_ROM && at < EXPANSION_ROM + 4) {
                writeRomBarByte(at & 3, b);
                touchesPlacement = true;
            } else if (at == STATUS || at == STATUS + 1) {
                config[at] &= (byte) ~(b & 0xF9); // error bits are write-one-to-clear
            } else {
                int mask = writableBits[at] & 0xFF;
                config[at] = (byte) ((config[at] & ~mask) | (b & mask));
                if (at == COMMAND || at == COMMAND + 1) {
                    touchesPlacement = true;
                }
            }
        }
        if (touchesPlacement && bus != null) {
            bus.updatePlacement(this);
        }
        if (offset <= COMMAND + 1 && offset + size > COMMAND + 1 && bus != null) {
            bus.interruptChanged(this);
        }
        configWritten(offset, size);
    }

    private void writeBarByte(int index, int byteInBar, int b) {
        Bar bar = bars[index];
        int at = BAR0 + 4 * index + byteInBar;
        if (bar == null) {
            return; // unimplemented BARs read as zero
        }
        int sizeMask = ~(bar.size - 1);
        int lowFlagBits = bar.io ? 0x3 : 0xF;
        int mask = (sizeMask & ~lowFlagBits) >>> (8 * byteInBar) & 0xFF;
        config[at] = (byte) ((config[at] & ~mask) | (b & mask));
    }

    private void writeRomBarByte(int byteInBar, int b) {
        Bar bar = bars[ROM_BAR];
        if (bar == null) {
            return;
        }
        int mask = ((~(bar.size - 1) & 0xFFFFF800) | 1) >>> (8 * byteInBar) & 0xFF;
        int at = EXPANSION_ROM + byteInBar;
        config[at] = (byte) ((config[at] & ~mask) | (b & mask));
    }

    /** Where a BAR's window should be now, or -1 if decoding is off or the address is unusable. */
    long wantedPlacement(int index) {
        Bar bar = bars[index];
        if (bar == null) {
            return -1;
        }
        int command = getConfig(COMMAND, 2);
        if (index == ROM_BAR) {
            int rom = getConfig(EXPANSION_ROM, 4);
            if ((rom & 1) == 0 || (command & COMMAND_MEMORY_SPACE) == 0) {
                return -1;
            }
            long base = rom & 0xFFFFF800L & ~(bar.size - 1L);
            return base == 0 ? -1 : base;
        }
        int raw = getConfig(BAR0 + 4 * index, 4);
        if (bar.io) {
            long base = raw & 0xFFFC & ~(bar.size - 1);
            return (command & COMMAND_IO_SPACE) == 0 || base == 0 ? -1 : base;
        }
        long base = raw & 0xFFFFFFF0L;
        return (command & COMMAND_MEMORY_SPACE) == 0 || base == 0 ? -1 : base;
    }

    // ---- snapshots --------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        out.write(config);
        out.writeBoolean(interruptAsserted);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name + ": unsupported PCI state version " + version);
        }
        in.readFully(config);
        interruptAsserted = in.readBoolean();
        if (bus != null) {
            bus.updatePlacement(this);
            bus.interruptChanged(this);
        }
    }
}
