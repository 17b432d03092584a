package org.vstation.devices.dma;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * One Intel 8237A DMA controller (four channels) of the PC/AT pair.
 * Follows the Intel 8237A datasheet (order 231466): registers, byte pointer flip-flop, mode register,
 * terminal count, autoinitialise; and the PIIX3 datasheet for the word-wide second controller.
 *
 * <p>The first controller (channels 0-3, byte transfers) sits at ports
 * 0x00-0x0F; the second (channels 4-7, word transfers, channel 4 cascading
 * the first) at 0xC0-0xDF, wired to address lines A1-A4 so each register
 * also answers at the odd port above it. A device asks {@link IsaDma} for a
 * transfer; the transfer runs at once, as a single-cycle burst.
 */
public final class Dma8237 implements IoDevice, Snapshottable {
    // Register numbers (offset >> addressShift).
    public static final int STATUS_COMMAND = 8;
    public static final int REQUEST = 9;
    public static final int SINGLE_MASK = 10;
    public static final int MODE = 11;
    public static final int CLEAR_FLIP_FLOP = 12;
    public static final int TEMPORARY_MASTER_CLEAR = 13;
    public static final int CLEAR_MASK = 14;
    public static final int ALL_MASK = 15;

    public static final int COMMAND_CONTROLLER_DISABLE = 0x04;
    public static final int MODE_TRANSFER_MASK = 0x0C;
    public static final int MODE_VERIFY = 0x00;
    public static final int MODE_WRITE_TO_MEMORY = 0x04;
    public static final int MODE_READ_FROM_MEMORY = 0x08;
    public static final int MODE_AUTOINITIALISE = 0x10;
    public static final int MODE_ADDRESS_DECREMENT = 0x20;
    public static final int MODE_SELECT_MASK = 0xC0;
    public static final int MODE_CASCADE = 0xC0;

    /** Direction a device asks for. */
    public enum Direction { TO_MEMORY, FROM_MEMORY }

    private final String name;
    private final int addressShift;
    private final boolean wordTransfers;
    private final int[] baseAddress = new int[4];
    private final int[] currentAddress = new int[4];
    private final int[] baseCount = new int[4];
    private final int[] currentCount = new int[4];
    private final int[] mode = new int[4];
    private int command;
    private int mask = 0x0F;
    private int softwareRequests;
    private int deviceRequests;
    private int terminalCountReached;
    private boolean highByteNext;

    /**
     * @param addressShift 0 for the byte-wide controller at 0x00, 1 for the word-wide one at 0xC0
     */
    Dma8237(String name, int addressShift, boolean wordTransfers) {
        this.name = name;
        this.addressShift = addressShift;
        this.wordTransfers = wordTransfers;
    }

    @Override
    public String name() {
        return name;
    }

    // ---- register protocol ------------------------------------------------------------

    @Override
    public int ioRead(int offset, int size) {
        int register = (offset >>> addressShift) & 0x0F;
        if (register < 8) {
            int channel = register >>> 1;
            int value = (register & 1) == 0 ? currentAddress[channel] : currentCount[channel];
            return toggleFlipFlop() ? value >>> 8 & 0xFF : value & 0xFF;
        }
        return switch (register) {
            case STATUS_COMMAND -> {
                int status = terminalCountReached | ((softwareRequests | deviceRequests) & 0x0F) << 4;
                terminalCountReached = 0; // TC bits clear when status is read
                yield status;
            }
            case TEMPORARY_MASTER_CLEAR -> 0; // memory-to-memory transfers, the only users of it, are not wired on a PC
            case ALL_MASK -> 0xF0 | mask;
            default -> 0xFF;
        };
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        int register = (offset >>> addressShift) & 0x0F;
        value &= 0xFF;
        if (register < 8) {
            writeAddressOrCount(register >>> 1, (register & 1) != 0, value);
            return;
        }
        int channel = value & 3;
        switch (register) {
            case STATUS_COMMAND -> command = value;
            case REQUEST -> softwareRequests = (value & 4) != 0 ? softwareRequests | 1 << channel : softwareRequests & ~(1 << channel);
            case SINGLE_MASK -> mask = (value & 4) != 0 ? mask | 1 << channel : mask & ~(1 << channel);
            case MODE -> mode[channel] = value;
            case CLEAR_FLIP_FLOP -> highByteNext = false;
            case TEMPORARY_MASTER_CLEAR -> masterClear();
            case CLEAR_MASK -> mask = 0;
            default -> mask = value & 0x0F; // ALL_MASK
        }
    }

    private boolean toggleFlipFlop() {
        boolean high = highByteNext;
        highByteNext = !highByteNext;
        return high;
    }

    /** Writes go to both the base and the current register (datasheet, "Base and Current Registers"). */
    private void writeAddressOrCount(int channel, boolean count, int value) {
        boolean high = toggleFlipFlop();
        int[] base = count ? baseCount : baseAddress;
        int[] current = count ? currentCount : currentAddress;
        base[channel] = high ? (base[channel] & 0x00FF) | value << 8 : (base[channel] & 0xFF00) | value;
        current[channel] = base[channel];
    }

    /** Master clear: command, status, request and flip-flop cleared, all channels masked. */
    private void masterClear() {
        command = 0;
        terminalCountReached = 0;
        softwareRequests = 0;
        highByteNext = false;
        mask = 0x0F;
    }

    /** Hardware RESET: a master clear, with the mode registers cleared too. */
    void reset() {
        masterClear();
        deviceRequests = 0;
        Arrays.fill(mode, 0);
    }

    // ---- transfers --------------------------------------------------------------------

    void setDeviceRequest(int channel, boolean requesting) {
        deviceRequests = requesting ? deviceRequests | 1 << channel : deviceRequests & ~(1 << channel);
    }

    /** An unmasked channel of an enabled controller, not in cascade mode. */
    boolean canTransfer(int channel) {
        return (mask & 1 << channel) == 0 && (command & COMMAND_CONTROLLER_DISABLE) == 0 && !isCascade(channel);
    }

    /** Channel 0 passes the other controller's requests through while unmasked and enabled. */
    boolean canCascade() {
        return (mask & 1) == 0 && (command & COMMAND_CONTROLLER_DISABLE) == 0;
    }

    boolean isCascade(int channel) {
        return (mode[channel] & MODE_SELECT_MASK) == MODE_CASCADE;
    }

    /**
     * Moves up to {@code length} bytes between {@code buffer} and memory on a
     * channel; a word channel moves whole words. Stops at terminal count;
     * with autoinitialise the channel reloads, otherwise it masks itself.
     * A channel programmed for the other direction or for verify advances
     * without touching memory. Returns the number of bytes moved (0 while the
     * channel is masked or the controller disabled).
     */
    int transfer(int channel, int page, Direction direction, byte[] buffer, int offset, int length,
                 PhysicalMemory memory) {
        if (!canTransfer(channel)) {
            return 0;
        }
        int unit = wordTransfers ? 2 : 1;
        int type = mode[channel] & MODE_TRANSFER_MASK;
        boolean copies = direction == Direction.TO_MEMORY ? type == MODE_WRITE_TO_MEMORY : type == MODE_READ_FROM_MEMORY;
        int step = (mode[channel] & MODE_ADDRESS_DECREMENT) != 0 ? -1 : 1;
        int moved = 0;
        while (moved + unit <= length) {
            long address = wordTransfers
                    ? (long) (page & 0xFE) << 16 | (long) currentAddress[channel] << 1
                    : (long) page << 16 | currentAddress[channel];
            if (copies) {
                if (direction == Direction.TO_MEMORY) {
                    memory.writeBytes(address, buffer, offset + moved, unit);
                } else {
                    memory.readBytes(address, buffer, offset + moved, unit);
                }
            }
            moved += unit;
            currentAddress[channel] = (currentAddress[channel] + step) & 0xFFFF;
            currentCount[channel] = (currentCount[channel] - 1) & 0xFFFF;
            if (currentCount[channel] == 0xFFFF) {
                terminalCount(channel);
                break;
            }
        }
        return moved;
    }

    private void terminalCount(int channel) {
        terminalCountReached |= 1 << channel;
        softwareRequests &= ~(1 << channel);
        if ((mode[channel] & MODE_AUTOINITIALISE) != 0) {
            currentAddress[channel] = baseAddress[channel];
            currentCount[channel] = baseCount[channel];
        } else {
            mask |= 1 << channel;
        }
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        for (int c = 0; c < 4; c++) {
            out.writeInt(baseAddress[c]);
            out.writeInt(currentAddress[c]);
            out.writeInt(baseCount[c]);
            out.writeInt(currentCount[c]);
            out.writeInt(mode[c]);
        }
        out.writeInt(command);
        out.writeInt(mask);
        out.writeInt(softwareRequests);
        out.writeInt(deviceRequests);
        out.writeInt(terminalCountReached);
        out.writeBoolean(highByteNext);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name + ": unsupported state version " + version);
        }
        for (int c = 0; c < 4; c++) {
            baseAddress[c] = in.readInt() & 0xFFFF;
            currentAddress[c] = in.readInt() & 0xFFFF;
            baseCount[c] = in.readInt() & 0xFFFF;
            currentCount[c] = in.readInt() & 0xFFFF;
            mode[c] = in.readInt() & 0xFF;
        }
        command = in.readInt();
        mask = in.readInt() & 0x0F;
        softwareRequests = in.readInt() & 0x0F;
        deviceRequests = in.readInt() & 0x0F;
        terminalCountReached = in.readInt() & 0x0F;
        highByteNext = in.readBoolean();
    }
}
