package org.vstation.devices.ide;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.snapshot.Snapshottable;

/*
 * One IDE channel of the Intel 82371SB (PIIX3): the command and control blocks of up to two devices and the
 * channel's bus-master DMA engine. Follows ATA/ATAPI-6 7.1 (register map) and the PIIX3 datasheet 2.7 (BMIxx).
 */

/**
 * An IDE cable with device 0 and device 1. The host's writes to the command
 * block go to both devices; reads come from the one selected by the DEV bit.
 * The control block holds the alternate status and the device control
 * register (nIEN, SRST, HOB). The bus-master registers (command, status, PRD
 * table pointer) are the channel's eight bytes of the PIIX3's BAR4.
 */
public final class IdeChannel implements Snapshottable {
    // Command block register offsets (ATA-6 table 12).
    public static final int REG_DATA = 0;
    public static final int REG_ERROR = 1;
    public static final int REG_FEATURES = 1;
    public static final int REG_SECTOR_COUNT = 2;
    public static final int REG_LBA_LOW = 3;
    public static final int REG_LBA_MID = 4;
    public static final int REG_LBA_HIGH = 5;
    public static final int REG_DEVICE = 6;
    public static final int REG_STATUS = 7;
    public static final int REG_COMMAND = 7;
    public static final int COMMAND_BLOCK_PORTS = 8;

    // Device control register bits (ATA-6 7.8).
    public static final int CONTROL_NIEN = 0x02;
    public static final int CONTROL_SRST = 0x04;
    public static final int CONTROL_HOB = 0x80;

    // Bus-master IDE registers (PIIX3 datasheet 2.7.1-2.7.3), offsets in the channel's 8 bytes.
    public static final int BM_COMMAND = 0;
    public static final int BM_STATUS = 2;
    public static final int BM_PRD_TABLE = 4;
    public static final int BM_PORTS = 8;
    public static final int BM_COMMAND_START = 0x01;
    /** Read/write control: 1 = the bus master writes memory (a device-to-memory transfer). */
    public static final int BM_COMMAND_WRITE_MEMORY = 0x08;
    public static final int BM_STATUS_ACTIVE = 0x01;
    public static final int BM_STATUS_ERROR = 0x02;
    public static final int BM_STATUS_INTERRUPT = 0x04;
    public static final int BM_STATUS_DRIVE0_DMA = 0x20;
    public static final int BM_STATUS_DRIVE1_DMA = 0x40;

    /** A PRD: 32-bit base, 16-bit count (0 = 64 KiB) and EOT in bit 31 of the second dword. */
    private static final int PRD_SIZE = 8;
    private static final int PRD_END_OF_TABLE = 0x8000_0000;
    /** The descriptor table may not cross a 64 KiB boundary (datasheet 2.7.3), so it holds at most this many. */
    private static final int MAX_PRDS = 0x10000 / PRD_SIZE;
    private static final long DMA_DELAY_NANOS = 10_000;

    private final String name;
    private final InterruptLine irq;
    private final PhysicalMemory memory;
    private final EventQueue events;
    private final IdeDevice[] devices = new IdeDevice[2];
    private final EventQueue.Timer dmaTimer;
    private final IoDevice commandBlock;
    private final IoDevice controlBlock;
    private final IoDevice busMaster;
    /** Whether the PCI function lets the bus master run (PCICMD bit 2). */
    private BooleanSupplier busMasterEnabled = () -> true;

    private int selected;
    private int deviceControl;
    private boolean irqOutput;
    /** Set while {@link #runDma()} moves data, so the device's next chunk does not schedule another run. */
    private boolean dmaRunning;
    private int bmCommand;
    private int bmStatus;
    private int prdTableAddress;

    public IdeChannel(String name, InterruptLine irq, PhysicalMemory memory, EventQueue events) {
        this.name = name;
        this.irq = irq;
        this.memory = memory;
        this.dmaTimer = events.newTimer(name + " bus master", this::runDma);
        this.commandBlock = IoDevice.of(name + " command block", this::readCommandBlock, this::writeCommandBlock);
        this.controlBlock = IoDevice.of(name + " control block", this::readControlBlock, this::writeControlBlock);
        this.busMaster = IoDevice.of(name + " bus master", this::readBusMaster, this::writeBusMaster);
        this.events = events;
    }

    /** Attaches {@code device} as device 0 or 1 (master or slave). */
    public void attach(int unit, IdeDevice device) {
        if (devices[unit] != null) {
            throw new IllegalStateException(name + " device " + unit + " is taken by " + devices[unit].name());
        }
        devices[unit] = device;
        device.attach(this, events);
        bmStatus |= unit == 0 ? BM_STATUS_DRIVE0_DMA : BM_STATUS_DRIVE1_DMA;
    }

    public IdeDevice device(int unit) {
        return devices[unit];
    }

    public String name() {
        return name;
    }

    /** Ports 0-7 at 0x1F0 or 0x170. */
    public IoDevice commandBlock() {
        return commandBlock;
    }

    /** The one port at 0x3F6 or 0x376: alternate status / device control. */
    public IoDevice controlBlock() {
        return controlBlock;
    }

    /** This channel's eight bytes of the bus-master window. */
    IoDevice busMaster() {
        return busMaster;
    }

    void setBusMasterEnabled(BooleanSupplier enabled) {
        busMasterEnabled = enabled;
    }

    boolean isDevice1(IdeDevice device) {
        return devices[1] == device;
    }

    /** Hardware reset (RESET- asserted): devices return to power-on state, the bus master stops. */
    public void reset() {
        selected = 0;
        deviceControl = 0;
        bmCommand = 0;
        bmStatus &= BM_STATUS_DRIVE0_DMA | BM_STATUS_DRIVE1_DMA;
        prdTableAddress = 0;
        dmaTimer.cancel();
        for (IdeDevice device : devices) {
            if (device != null) {
                device.powerOnReset();
            }
        }
        updateInterrupt();
    }

    // ---- command block ---------------------------------------------------------------------

    private int readCommandBlock(int offset, int size) {
        IdeDevice device = devices[selected];
        if (device == null) {
            // no device answers: an empty cable floats high, an absent device 1 reads as zero (ATA-6 9.16.1)
            boolean empty = devices[0] == null && devices[1] == null;
            return empty ? 0xFFFF_FFFF >>> (32 - 8 * size) : 0;
        }
        if (offset == REG_DATA) {
            return device.readData(size);
        }
        if (offset == REG_STATUS) {
            return device.readStatusAndClearInterrupt();
        }
        return device.readTaskFile(offset, (deviceControl & CONTROL_HOB) != 0);
    }

    private void writeCommandBlock(int offset, int size, int value) {
        if (offset == REG_DATA) {
            IdeDevice device = devices[selected];
            if (device != null) {
                device.writeData(size, value);
            }
            return;
        }
        for (int i = 0; i < size && offset + i < COMMAND_BLOCK_PORTS; i++) {
            writeRegister(offset + i, (value >>> (8 * i)) & 0xFF);
        }
    }

    private void writeRegister(int register, int value) {
        deviceControl &= ~CONTROL_HOB; // ATA-6 7.8: a write to any command block register clears HOB
        if (register == REG_COMMAND) {
            if (value == IdeDevice.CMD_EXECUTE_DEVICE_DIAGNOSTIC) {
                for (IdeDevice device : devices) {
                    if (device != null) {
                        device.commandWritten(value);
                    }
                }
            } else if (devices[selected] != null) {
                devices[selected].commandWritten(value);
            }
            return;
        }
        for (IdeDevice device : devices) {
            if (device != null) {
                device.writeTaskFile(register, value);
            }
        }
        if (register == REG_DEVICE) {
            selected = (value & IdeDevice.DEVICE_DEV) != 0 ? 1 : 0;
            updateInterrupt();
        }
    }

    // ---- control block ----------------------------------------------------------------------

    private int readControlBlock(int offset, int size) {
        IdeDevice device = devices[selected];
        if (device == null) {
            return devices[0] == null && devices[1] == null ? 0xFF : 0;
        }
        return device.status();
    }

    private void writeControlBlock(int offset, int size, int value) {
        int before = deviceControl;
        deviceControl = value & 0xFF;
        boolean srstBefore = (before & CONTROL_SRST) != 0;
        boolean srstNow = (deviceControl & CONTROL_SRST) != 0;
        if (srstNow && !srstBefore) {
            for (IdeDevice device : devices) {
                if (device != null) {
                    device.softResetAsserted();
                }
            }
        } else if (!srstNow && srstBefore) {
            selected = 0;
            for (IdeDevice device : devices) {
                if (device != null) {
                    device.softResetReleased();
                }
            }
        }
        updateInterrupt();
    }

    // ---- interrupts ---------------------------------------------------------------------------

    /** INTRQ is driven by the selected device only, and not at all while nIEN is set (ATA-6 5.2.9). */
    void updateInterrupt() {
        IdeDevice device = devices[selected];
        boolean level = device != null && device.interruptPending() && (deviceControl & CONTROL_NIEN) == 0;
        if (level == irqOutput) {
            return;
        }
        irqOutput = level;
        if (level) {
            bmStatus |= BM_STATUS_INTERRUPT; // datasheet 2.7.2: set when the IDE device asserts its interrupt
        }
        irq.setLevel(level);
    }

    // ---- bus master -----------------------------------------------------------------------------

    private int readBusMaster(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= busMasterByte(offset + i) << (8 * i);
        }
        return value;
    }

    private int busMasterByte(int offset) {
        return switch (offset) {
            case BM_COMMAND -> bmCommand;
            case BM_STATUS -> bmStatus;
            case BM_PRD_TABLE, BM_PRD_TABLE + 1, BM_PRD_TABLE + 2, BM_PRD_TABLE + 3 ->
                    (prdTableAddress >>> (8 * (offset - BM_PRD_TABLE))) & 0xFF;
            default -> 0;
        };
    }

    private void writeBusMaster(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            writeBusMasterByte(offset + i, (value >>> (8 * i)) & 0xFF);
        }
    }

    private void writeBusMasterByte(int offset, int value) {
        switch (offset) {
            case BM_COMMAND -> {
                boolean wasStarted = (bmCommand & BM_COMMAND_START) != 0;
                bmCommand = value & (BM_COMMAND_START | BM_COMMAND_WRITE_MEMORY);
                boolean started = (bmCommand & BM_COMMAND_START) != 0;
                if (started && !wasStarted) {
                    bmStatus |= BM_STATUS_ACTIVE;
                    dmaRequested();
                } else if (!started && wasStarted) {
                    bmStatus &= ~BM_STATUS_ACTIVE; // stopping the engine abandons the transfer (datasheet 2.7.1)
                    dmaTimer.cancel();
                }
            }
            case BM_STATUS -> {
                int writeOneToClear = value & (BM_STATUS_ERROR | BM_STATUS_INTERRUPT);
                int writable = BM_STATUS_DRIVE0_DMA | BM_STATUS_DRIVE1_DMA;
                bmStatus = (bmStatus & ~writeOneToClear & ~writable) | (value & writable);
            }
            case BM_PRD_TABLE, BM_PRD_TABLE + 1, BM_PRD_TABLE + 2, BM_PRD_TABLE + 3 -> {
                int shift = 8 * (offset - BM_PRD_TABLE);
                prdTableAddress = (prdTableAddress & ~(0xFF << shift)) | (value << shift);
                prdTableAddress &= ~3; // dword aligned: bits 1:0 are read-only zero
            }
            default -> { }
        }
    }

    /** A device entered a DMA data phase, or the engine was started: run once both are ready. */
    void dmaRequested() {
        if (!dmaRunning && (bmStatus & BM_STATUS_ACTIVE) != 0 && dmaDevice() != null && !dmaTimer.isScheduled()) {
            dmaTimer.scheduleAfter(DMA_DELAY_NANOS);
        }
    }

    private IdeDevice dmaDevice() {
        for (IdeDevice device : devices) {
            if (device != null && device.dmaRequested()) {
                return device;
            }
        }
        return null;
    }

    /**
     * Moves the device's data through the PRD table in one go. If the table
     * ends first, the engine stops (Active clear) and the command aborts; if
     * the data ends first with PRD bytes left, Active stays set (datasheet
     * 2.7.2), which drivers accept together with the interrupt.
     */
    private void runDma() {
        IdeDevice device = dmaDevice();
        if (device == null || (bmStatus & BM_STATUS_ACTIVE) == 0 || !busMasterEnabled.getAsBoolean()) {
            return;
        }
        dmaRunning = true;
        try {
            transferThroughPrdTable(device);
        } finally {
            dmaRunning = false;
        }
    }

    private void transferThroughPrdTable(IdeDevice device) {
        long descriptor = Integer.toUnsignedLong(prdTableAddress);
        for (int n = 0; n < MAX_PRDS; n++, descriptor += PRD_SIZE) {
            long base = Integer.toUnsignedLong(memory.read32(descriptor)) & ~1L;
            int flagsAndCount = memory.read32(descriptor + 4);
            int count = flagsAndCount & 0xFFFF;
            if (count == 0) {
                count = 0x10000;
            }
            boolean lastDescriptor = (flagsAndCount & PRD_END_OF_TABLE) != 0;
            long address = base;
            while (count > 0 && device.dmaRequested()) {
                int chunk = Math.min(count, device.bufferEnd - device.bufferPos);
                if (device.phase == IdeDevice.Phase.DMA_IN) {
                    memory.writeBytes(address & 0xFFFF_FFFFL, device.buffer, device.bufferPos, chunk);
                } else {
                    memory.readBytes(address & 0xFFFF_FFFFL, device.buffer, device.bufferPos, chunk);
                }
                device.bufferPos += chunk;
                address += chunk;
                count -= chunk;
                if (device.bufferPos >= device.bufferEnd) {
                    device.endOfBlock();
                }
            }
            if (!device.dmaRequested()) {
                if (lastDescriptor && count == 0) {
                    bmStatus &= ~BM_STATUS_ACTIVE;
                }
                return;
            }
            if (lastDescriptor) {
                break;
            }
        }
        bmStatus &= ~BM_STATUS_ACTIVE;
        device.dmaUnderrun();
    }

    // ---- snapshots ----------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        out.writeByte(selected);
        out.writeByte(deviceControl);
        out.writeBoolean(irqOutput);
        out.writeByte(bmCommand);
        out.writeByte(bmStatus);
        out.writeInt(prdTableAddress);
        out.writeLong(dmaTimer.deadline());
        for (IdeDevice device : devices) {
            if (device != null) {
                device.saveState(out);
            }
        }
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name + ": unsupported IDE channel state version " + version);
        }
        selected = in.readUnsignedByte() & 1;
        deviceControl = in.readUnsignedByte();
        irqOutput = in.readBoolean();
        bmCommand = in.readUnsignedByte();
        bmStatus = in.readUnsignedByte();
        prdTableAddress = in.readInt();
        long deadline = in.readLong();
        if (deadline == Long.MAX_VALUE) {
            dmaTimer.cancel();
        } else {
            dmaTimer.scheduleAt(deadline);
        }
        for (IdeDevice device : devices) {
            if (device != null) {
                device.restoreState(in);
            }
        }
        irq.setLevel(irqOutput);
    }
}
