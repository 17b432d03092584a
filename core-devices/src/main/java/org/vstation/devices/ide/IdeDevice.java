package org.vstation.devices.ide;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.snapshot.Snapshottable;

/*
 * One device on an IDE cable (device 0 or 1): its task file, status and the data transfer in progress.
 * Follows ATA/ATAPI-6 (T13/1410D rev. 3b): 7.x register definitions, 9.x protocols, 9.2 signatures.
 */

/**
 * The part every IDE device shares: the task-file registers (written by the
 * host to both devices of a channel, each keeping its own copy as ATA
 * requires), BSY/DRQ handshaking, the data buffer that PIO and DMA drain or
 * fill, and the INTRQ line. {@link AtaDisk} and {@link AtapiCdrom} supply the
 * commands.
 *
 * <p>Commands complete on the event queue after a short delay, so a driver
 * sees BSY first and then an interrupt, as with a real drive.
 */
public abstract class IdeDevice implements Snapshottable {
    // Status register bits (ATA-6 7.15.6).
    public static final int STATUS_BSY = 0x80;
    public static final int STATUS_DRDY = 0x40;
    public static final int STATUS_DF = 0x20;
    public static final int STATUS_DSC = 0x10;
    public static final int STATUS_DRQ = 0x08;
    public static final int STATUS_ERR = 0x01;

    // Error register bits (ATA-6 7.9).
    public static final int ERROR_UNC = 0x40;
    public static final int ERROR_IDNF = 0x10;
    public static final int ERROR_ABRT = 0x04;

    /** Device register bits: LBA addressing (bit 6), device select (bit 4). */
    public static final int DEVICE_LBA = 0x40;
    public static final int DEVICE_DEV = 0x10;

    // Commands shared by both device kinds.
    public static final int CMD_NOP = 0x00;
    public static final int CMD_DEVICE_RESET = 0x08;
    public static final int CMD_EXECUTE_DEVICE_DIAGNOSTIC = 0x90;
    public static final int CMD_PACKET = 0xA0;
    public static final int CMD_IDENTIFY_PACKET_DEVICE = 0xA1;
    public static final int CMD_STANDBY_IMMEDIATE = 0xE0;
    public static final int CMD_IDLE_IMMEDIATE = 0xE1;
    public static final int CMD_STANDBY = 0xE2;
    public static final int CMD_IDLE = 0xE3;
    public static final int CMD_CHECK_POWER_MODE = 0xE5;
    public static final int CMD_SLEEP = 0xE6;
    public static final int CMD_IDENTIFY_DEVICE = 0xEC;
    public static final int CMD_SET_FEATURES = 0xEF;

    /** Time from a command (or a drained block) to the device's answer: a fast drive. */
    static final long COMMAND_DELAY_NANOS = 20_000;
    /** Time from SRST released to the device's signature. */
    static final long RESET_DELAY_NANOS = 100_000;
    /** The transfer buffer: a PIO block or one DMA chunk, up to 128 sectors of 512 or 32 of 2048 bytes. */
    static final int BUFFER_SIZE = 64 * 1024;

    /** What the device is doing; it decides what the status register and the data port show. */
    enum Phase { IDLE, BUSY, RESET, PIO_IN, PIO_OUT, DMA_IN, DMA_OUT }

    protected final String name;
    private IdeChannel channel;
    private EventQueue.Timer timer;

    // The task file (ATA-6 7.1): current values and the "previous" ones that LBA48 reads back with HOB.
    protected int features;
    protected int sectorCount;
    protected int lbaLow;
    protected int lbaMid;
    protected int lbaHigh;
    protected int previousFeatures;
    protected int previousSectorCount;
    protected int previousLbaLow;
    protected int previousLbaMid;
    protected int previousLbaHigh;
    protected int device;
    protected int status;
    protected int error;
    protected int command;

    Phase phase = Phase.IDLE;
    /** Whether the command in progress moves its data by DMA (else PIO). */
    protected boolean dmaMode;
    final byte[] buffer = new byte[BUFFER_SIZE];
    /** Next byte of the buffer the host reads or writes. */
    int bufferPos;
    /** End of the current DRQ data block (PIO) or chunk (DMA). */
    int bufferEnd;
    private boolean interruptPending;
    /**
     * Command steps run and data blocks moved: the drive is busy then, which on a real drive lights
     * its activity LED (DASP-, ATA-6 5.2.7). Written only by the VM thread; the console reads it.
     */
    private volatile long activity;

    protected IdeDevice(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Grows while the drive works (commands and data blocks); a console blinks a light when it changed. */
    public long activityCount() {
        return activity;
    }

    /** Called once by the channel the device is attached to. */
    void attach(IdeChannel channel, EventQueue events) {
        this.channel = channel;
        this.timer = events.newTimer(name, this::timerFired);
        powerOnReset();
    }

    // ---- what subclasses provide ----------------------------------------------------------

    /** The register values after a reset that identify the device kind (ATA-6 9.12). */
    protected abstract void setSignature();

    /** The status after a reset or diagnostic: DRDY for an ATA disk, zero for a PACKET device. */
    protected abstract int statusAfterReset();

    /** Runs the command in {@link #command}, BSY having been shown for {@link #COMMAND_DELAY_NANOS}. */
    protected abstract void executeCommand();

    /**
     * The current block is done: the host has read everything up to
     * {@link #bufferEnd} (data in) or written it (data out), by PIO or DMA.
     * The device goes on with the next block or ends the command.
     */
    protected abstract void blockTransferred();

    /** Whether a command may be written while the device is busy (DEVICE RESET for PACKET devices). */
    protected boolean acceptsWhileBusy(int newCommand) {
        return false;
    }

    // ---- register access from the channel ------------------------------------------------

    void writeTaskFile(int register, int value) {
        switch (register) {
            case IdeChannel.REG_FEATURES -> {
                previousFeatures = features;
                features = value;
            }
            case IdeChannel.REG_SECTOR_COUNT -> {
                previousSectorCount = sectorCount;
                sectorCount = value;
            }
            case IdeChannel.REG_LBA_LOW -> {
                previousLbaLow = lbaLow;
                lbaLow = value;
            }
            case IdeChannel.REG_LBA_MID -> {
                previousLbaMid = lbaMid;
                lbaMid = value;
            }
            case IdeChannel.REG_LBA_HIGH -> {
                previousLbaHigh = lbaHigh;
                lbaHigh = value;
            }
            case IdeChannel.REG_DEVICE -> device = value;
            default -> throw new IllegalArgumentException("not a task-file register: " + register);
        }
    }

    int readTaskFile(int register, boolean highOrderBytes) {
        return switch (register) {
            case IdeChannel.REG_ERROR -> error;
            case IdeChannel.REG_SECTOR_COUNT -> highOrderBytes ? previousSectorCount : sectorCount;
            case IdeChannel.REG_LBA_LOW -> highOrderBytes ? previousLbaLow : lbaLow;
            case IdeChannel.REG_LBA_MID -> highOrderBytes ? previousLbaMid : lbaMid;
            case IdeChannel.REG_LBA_HIGH -> highOrderBytes ? previousLbaHigh : lbaHigh;
            case IdeChannel.REG_DEVICE -> device;
            default -> throw new IllegalArgumentException("not a task-file register: " + register);
        };
    }

    int status() {
        return status;
    }

    /** Reading the status register acknowledges the interrupt (ATA-6 5.2.9). */
    int readStatusAndClearInterrupt() {
        int value = status;
        setInterruptPending(false);
        return value;
    }

    boolean interruptPending() {
        return interruptPending;
    }

    void commandWritten(int newCommand) {
        if ((status & STATUS_BSY) != 0 && !acceptsWhileBusy(newCommand)) {
            return; // ATA-6 7.4: the command register is not written while BSY is set
        }
        command = newCommand;
        dmaMode = false;
        setInterruptPending(false);
        phase = Phase.BUSY;
        status = STATUS_BSY | (status & STATUS_DRDY);
        timer.scheduleAfter(COMMAND_DELAY_NANOS);
    }

    /** SRST set: the device goes busy and stays so until SRST is released. */
    void softResetAsserted() {
        timer.cancel();
        phase = Phase.RESET;
        status = STATUS_BSY;
        setInterruptPending(false);
    }

    /** SRST released: the signature appears after the device's reset time. */
    void softResetReleased() {
        if (phase == Phase.RESET) {
            timer.scheduleAfter(RESET_DELAY_NANOS);
        }
    }

    /** Power-on or hardware reset: the device is ready with its signature at once. */
    void powerOnReset() {
        if (timer != null) {
            timer.cancel();
        }
        features = 0;
        device = 0;
        previousFeatures = previousSectorCount = previousLbaLow = previousLbaMid = previousLbaHigh = 0;
        resetDeviceState();
        finishReset();
    }

    /** Device-specific state a reset returns to its default (transfer modes, multiple count ...). */
    protected void resetDeviceState() {
    }

    private void finishReset() {
        phase = Phase.IDLE;
        bufferPos = bufferEnd = 0;
        setSignature();
        error = 0x01; // diagnostic code: device passed (ATA-6 table 27)
        status = statusAfterReset();
        setInterruptPending(false);
    }

    private void timerFired() {
        if (phase == Phase.RESET) {
            finishReset();
        } else if (phase == Phase.BUSY) {
            if (command == CMD_EXECUTE_DEVICE_DIAGNOSTIC) {
                finishReset();
                if (!isDevice1()) {
                    setInterruptPending(true);
                }
            } else {
                activity++;
                executeCommand();
            }
        }
    }

    protected final boolean isDevice1() {
        return channel.isDevice1(this);
    }

    // ---- the data port ----------------------------------------------------------------------

    int readData(int size) {
        if (phase != Phase.PIO_IN) {
            return 0xFFFF_FFFF >>> (32 - 8 * size);
        }
        int value = 0;
        int bytes = Math.min(size == 4 ? 4 : 2, bufferEnd - bufferPos);
        for (int i = 0; i < bytes; i++) {
            value |= (buffer[bufferPos++] & 0xFF) << (8 * i);
        }
        if (bufferPos >= bufferEnd) {
            endOfBlock();
        }
        return value;
    }

    void writeData(int size, int value) {
        if (phase != Phase.PIO_OUT) {
            return;
        }
        int bytes = Math.min(size == 4 ? 4 : 2, bufferEnd - bufferPos);
        for (int i = 0; i < bytes; i++) {
            buffer[bufferPos++] = (byte) (value >>> (8 * i));
        }
        if (bufferPos >= bufferEnd) {
            endOfBlock();
        }
    }

    /** The block is done; the device is busy until {@link #blockTransferred()} says what comes next. */
    final void endOfBlock() {
        activity++;
        phase = Phase.BUSY;
        status = STATUS_BSY | STATUS_DRDY;
        blockTransferred();
    }

    /** Keeps BSY set for another {@link #COMMAND_DELAY_NANOS}, then calls {@link #executeCommand()} again. */
    protected final void staysBusy() {
        phase = Phase.BUSY;
        status = STATUS_BSY | STATUS_DRDY;
        timer.scheduleAfter(COMMAND_DELAY_NANOS);
    }

    boolean dmaRequested() {
        return phase == Phase.DMA_IN || phase == Phase.DMA_OUT;
    }

    // ---- building blocks for commands ----------------------------------------------------------

    /** Offers {@code length} bytes of {@link #buffer} to the host: one DRQ data block, or a DMA chunk. */
    protected final void transferToHost(int length) {
        bufferPos = 0;
        bufferEnd = length;
        startDataPhase(true);
    }

    /** Asks the host for {@code length} bytes into {@link #buffer}; {@code interrupt} for blocks after the first. */
    protected final void transferFromHost(int length, boolean interrupt) {
        bufferPos = 0;
        bufferEnd = length;
        startDataPhase(false);
        if (!dmaMode && interrupt) {
            setInterruptPending(true);
        }
    }

    /** Continues a data-in phase at {@link #bufferPos} up to {@code end} (PACKET byte-count chunks). */
    protected final void continueToHost(int end) {
        bufferEnd = end;
        startDataPhase(true);
    }

    private void startDataPhase(boolean toHost) {
        status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
        if (dmaMode) {
            phase = toHost ? Phase.DMA_IN : Phase.DMA_OUT;
            channel.dmaRequested();
        } else {
            phase = toHost ? Phase.PIO_IN : Phase.PIO_OUT;
            if (toHost) {
                setInterruptPending(true);
            }
        }
    }

    /** Ends the command successfully with an interrupt. */
    protected final void complete() {
        completeWithoutInterrupt();
        setInterruptPending(true);
    }

    /** Ends a PIO data-in command after its last block: DRQ clears, no interrupt (ATA-6 9.6). */
    protected final void completeWithoutInterrupt() {
        phase = Phase.IDLE;
        status = STATUS_DRDY | STATUS_DSC;
        error = 0;
    }

    /** Ends the command with ERR and the given error bits, with an interrupt. */
    protected final void fail(int errorBits) {
        phase = Phase.IDLE;
        status = STATUS_DRDY | STATUS_DSC | STATUS_ERR;
        error = errorBits;
        setInterruptPending(true);
    }

    /** The DMA engine ran out of PRD entries before the device's data: the command aborts. */
    void dmaUnderrun() {
        fail(ERROR_ABRT);
    }

    protected final void setInterruptPending(boolean pending) {
        interruptPending = pending;
        if (channel != null) {
            channel.updateInterrupt();
        }
    }

    // ---- snapshots ---------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        for (int value : new int[] {features, sectorCount, lbaLow, lbaMid, lbaHigh, previousFeatures,
                previousSectorCount, previousLbaLow, previousLbaMid, previousLbaHigh, device, status, error, command}) {
            out.writeByte(value);
        }
        out.writeByte(phase.ordinal());
        out.writeBoolean(dmaMode);
        out.writeBoolean(interruptPending);
        out.writeInt(bufferPos);
        out.writeInt(bufferEnd);
        out.write(buffer);
        out.writeLong(timer.deadline());
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name + ": unsupported IDE device state version " + version);
        }
        features = in.readUnsignedByte();
        sectorCount = in.readUnsignedByte();
        lbaLow = in.readUnsignedByte();
        lbaMid = in.readUnsignedByte();
        lbaHigh = in.readUnsignedByte();
        previousFeatures = in.readUnsignedByte();
        previousSectorCount = in.readUnsignedByte();
        previousLbaLow = in.readUnsignedByte();
        previousLbaMid = in.readUnsignedByte();
        previousLbaHigh = in.readUnsignedByte();
        device = in.readUnsignedByte();
        status = in.readUnsignedByte();
        error = in.readUnsignedByte();
        command = in.readUnsignedByte();
        phase = Phase.values()[in.readUnsignedByte()];
        dmaMode = in.readBoolean();
        interruptPending = in.readBoolean();
        bufferPos = in.readInt();
        bufferEnd = in.readInt();
        in.readFully(buffer);
        long deadline = in.readLong();
        if (deadline == Long.MAX_VALUE) {
            timer.cancel();
        } else {
            timer.scheduleAt(deadline);
        }
    }
}
