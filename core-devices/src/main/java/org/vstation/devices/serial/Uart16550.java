package org.vstation.devices.serial;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * National Semiconductor PC16550D UART with 16-byte FIFOs, as on COM1-COM4.
 * Follows the PC16550D datasheet (June 1995): register map, interrupt
 * priorities (table IV), FIFO trigger levels and the character timeout.
 *
 * <p>Transmission completes at once (the host sink takes bytes as fast as the
 * guest writes them); received bytes queue on the host side and enter the
 * receive FIFO as it has room, so typed input is never lost.
 */
public final class Uart16550 implements IoDevice, Snapshottable {
    // Register offsets (DLAB = LCR bit 7 selects the divisor latch at 0 and 1).
    public static final int RBR_THR_DLL = 0;
    public static final int IER_DLM = 1;
    public static final int IIR_FCR = 2;
    public static final int LCR = 3;
    public static final int MCR = 4;
    public static final int LSR = 5;
    public static final int MSR = 6;
    public static final int SCR = 7;

    public static final int IER_RECEIVED_DATA = 0x01;
    public static final int IER_THR_EMPTY = 0x02;
    public static final int IER_LINE_STATUS = 0x04;
    public static final int IER_MODEM_STATUS = 0x08;

    public static final int IIR_NO_INTERRUPT = 0x01;
    public static final int IIR_MODEM_STATUS = 0x00;
    public static final int IIR_THR_EMPTY = 0x02;
    public static final int IIR_RECEIVED_DATA = 0x04;
    public static final int IIR_LINE_STATUS = 0x06;
    public static final int IIR_CHARACTER_TIMEOUT = 0x0C;
    public static final int IIR_FIFOS_ENABLED = 0xC0;

    public static final int FCR_ENABLE_FIFO = 0x01;
    public static final int FCR_CLEAR_RECEIVE = 0x02;
    public static final int FCR_CLEAR_TRANSMIT = 0x04;

    public static final int LCR_DLAB = 0x80;

    public static final int MCR_DTR = 0x01;
    public static final int MCR_RTS = 0x02;
    public static final int MCR_OUT1 = 0x04;
    public static final int MCR_OUT2 = 0x08;
    public static final int MCR_LOOPBACK = 0x10;

    public static final int LSR_DATA_READY = 0x01;
    public static final int LSR_OVERRUN_ERROR = 0x02;
    public static final int LSR_BREAK_INTERRUPT = 0x10;
    public static final int LSR_THR_EMPTY = 0x20;
    public static final int LSR_TRANSMITTER_EMPTY = 0x40;

    public static final int MSR_DELTA_CTS = 0x01;
    public static final int MSR_DELTA_DSR = 0x02;
    public static final int MSR_TRAILING_EDGE_RI = 0x04;
    public static final int MSR_DELTA_DCD = 0x08;
    public static final int MSR_CTS = 0x10;
    public static final int MSR_DSR = 0x20;
    public static final int MSR_RI = 0x40;
    public static final int MSR_DCD = 0x80;

    private static final int FIFO_DEPTH = 16;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};
    /** The UART's input clock, 1.8432 MHz, divided by 16 per bit. */
    private static final long BAUD_CLOCK = 1_843_200 / 16;

    private final String name;
    private final InterruptLine irq;
    private final IntConsumer transmitSink;
    private final EventQueue.Timer characterTimeout;

    private final ArrayDeque<Integer> receiveFifo = new ArrayDeque<>();
    private final ArrayDeque<Integer> hostInput = new ArrayDeque<>();
    private int divisorLatch = 12; // 9600 baud, the BIOS default
    private int interruptEnable;
    private int lineControl = 0x03;
    private int modemControl;
    private int lineStatus = LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY;
    private int modemStatus = MSR_CTS | MSR_DSR | MSR_DCD;
    private int scratch;
    private boolean fifoEnabled;
    private int triggerLevel = 1;
    private boolean thrEmptyInterruptPending;
    private boolean timeoutInterruptPending;

    public Uart16550(String name, InterruptLine irq, EventQueue events, IntConsumer transmitSink) {
        this.name = name;
        this.irq = irq;
        this.transmitSink = transmitSink;
        this.characterTimeout = events.newTimer(name + " character timeout", this::characterTimeoutExpired);
    }

    @Override
    public String name() {
        return name;
    }

    /** Bytes from the host (a terminal, a test) for the guest to receive; call on the VM thread. */
    public void receive(byte[] bytes) {
        for (byte b : bytes) {
            hostInput.add(b & 0xFF);
        }
        refillReceiveFifo();
        updateInterrupt();
    }

    @Override
    public int ioRead(int offset, int size) {
        int value = readRegister(offset & 7);
        if (size > 1) {
            value |= 0xFF00; // wider reads see only one register
            if (size == 4) value |= 0xFFFF0000;
        }
        return value;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        writeRegister(offset & 7, value & 0xFF);
    }

    private boolean dlab() {
        return (lineControl & LCR_DLAB) != 0;
    }

    private int readRegister(int register) {
        switch (register) {
            case RBR_THR_DLL:
                if (dlab()) return divisorLatch & 0xFF;
                return readReceiveBuffer();
            case IER_DLM:
                return dlab() ? divisorLatch >>> 8 : interruptEnable;
            case IIR_FCR: {
                int id = interruptIdentification();
                if (id == IIR_THR_EMPTY) {
                    thrEmptyInterruptPending = false; // reading IIR with THRE as the source clears it
                    updateInterrupt();
                }
                return id | (fifoEnabled ? IIR_FIFOS_ENABLED : 0);
            }
            case LCR:
                return lineControl;
            case MCR:
                return modemControl;
            case LSR: {
                int status = lineStatus;
                lineStatus &= ~(LSR_OVERRUN_ERROR | LSR_BREAK_INTERRUPT); // error bits clear on read
                updateInterrupt();
                return status;
            }
            case MSR: {
                int status = currentModemStatus();
                modemStatus &= ~(MSR_DELTA_CTS | MSR_DELTA_DSR | MSR_TRAILING_EDGE_RI | MSR_DELTA_DCD);
                updateInterrupt();
                return status;
            }
            default:
                return scratch;
        }
    }

    private void writeRegister(int register, int value) {
        switch (register) {
            case RBR_THR_DLL -> {
                if (dlab()) {
                    divisorLatch = (divisorLatch & 0xFF00) | value;
                } else {
                    transmit(value);
                }
            }
            case IER_DLM -> {
                if (dlab()) {
                    divisorLatch = (divisorLatch & 0x00FF) | value << 8;
                } else {
                    boolean thrEnabledNow = (value & IER_THR_EMPTY) != 0 && (interruptEnable & IER_THR_EMPTY) == 0;
                    interruptEnable = value & 0x0F;
                    if (thrEnabledNow && (lineStatus & LSR_THR_EMPTY) != 0) {
                        thrEmptyInterruptPending = true; // enabling ETBEI with THR empty interrupts at once
                    }
                    updateInterrupt();
                }
            }
            case IIR_FCR -> writeFifoControl(value);
            case LCR -> lineControl = value;
            case MCR -> {
                int before = currentModemStatus();
                modemControl = value & 0x1F;
                noteModemStatusChange(before, currentModemStatus());
                updateInterrupt();
            }
            case LSR, MSR -> { } // read-only on the 16550 (factory test only)
            default -> scratch = value;
        }
    }

    private void writeFifoControl(int value) {
        boolean enable = (value & FCR_ENABLE_FIFO) != 0;
        if (enable != fifoEnabled) {
            receiveFifo.clear(); // changing the FIFO mode resets both FIFOs
        }
        fifoEnabled = enable;
        if ((value & FCR_CLEAR_RECEIVE) != 0) {
            receiveFifo.clear();
        }
        triggerLevel = fifoEnabled ? TRIGGER_LEVELS[(value >>> 6) & 3] : 1;
        refillReceiveFifo();
        updateInterrupt();
    }

    private void transmit(int value) {
        if ((modemControl & MCR_LOOPBACK) != 0) {
            hostInput.addFirst(value);
            refillReceiveFifo();
        } else {
            transmitSink.accept(value);
        }
        // The byte leaves at once, so THR is empty again and THRE interrupts (if enabled).
        lineStatus |= LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY;
        thrEmptyInterruptPending = true;
        updateInterrupt();
    }

    private int readReceiveBuffer() {
        timeoutInterruptPending = false;
        Integer value = receiveFifo.poll();
        refillReceiveFifo();
        updateInterrupt();
        return value == null ? 0 : value;
    }

    private void refillReceiveFifo() {
        int capacity = fifoEnabled ? FIFO_DEPTH : 1;
        while (!hostInput.isEmpty() && receiveFifo.size() < capacity) {
            receiveFifo.add(hostInput.poll());
        }
        if (receiveFifo.isEmpty()) {
            lineStatus &= ~LSR_DATA_READY;
            characterTimeout.cancel();
        } else {
            lineStatus |= LSR_DATA_READY;
            if (fifoEnabled && receiveFifo.size() < triggerLevel) {
                characterTimeout.scheduleAfter(4 * characterTimeNanos());
            } else {
                characterTimeout.cancel();
            }
        }
    }

    /** Time of one character: start bit, 5-8 data bits, optional parity, 1-2 stop bits. */
    private long characterTimeNanos() {
        int bits = 1 + 5 + (lineControl & 3) + ((lineControl & 0x08) != 0 ? 1 : 0) + ((lineControl & 0x04) != 0 ? 2 : 1);
        long baud = BAUD_CLOCK / Math.max(1, divisorLatch);
        return bits * 1_000_000_000L / Math.max(1, baud);
    }

    private void characterTimeoutExpired() {
        if (!receiveFifo.isEmpty()) {
            timeoutInterruptPending = true;
            updateInterrupt();
        }
    }

    private int currentModemStatus() {
        int lines;
        if ((modemControl & MCR_LOOPBACK) != 0) {
            // Datasheet 8.6.4: in loopback the modem outputs feed the modem inputs.
            lines = ((modemControl & MCR_RTS) != 0 ? MSR_CTS : 0)
                    | ((modemControl & MCR_DTR) != 0 ? MSR_DSR : 0)
                    | ((modemControl & MCR_OUT1) != 0 ? MSR_RI : 0)
                    | ((modemControl & MCR_OUT2) != 0 ? MSR_DCD : 0);
        } else {
            lines = MSR_CTS | MSR_DSR | MSR_DCD;
        }
        return lines | (modemStatus & 0x0F);
    }

    private void noteModemStatusChange(int before, int after) {
        int changed = before ^ after;
        if ((changed & MSR_CTS) != 0) modemStatus |= MSR_DELTA_CTS;
        if ((changed & MSR_DSR) != 0) modemStatus |= MSR_DELTA_DSR;
        if ((changed & MSR_DCD) != 0) modemStatus |= MSR_DELTA_DCD;
        if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) modemStatus |= MSR_TRAILING_EDGE_RI;
    }

    /** The highest-priority pending, enabled interrupt (datasheet table IV). */
    private int interruptIdentification() {
        if ((interruptEnable & IER_LINE_STATUS) != 0 && (lineStatus & (LSR_OVERRUN_ERROR | LSR_BREAK_INTERRUPT)) != 0) {
            return IIR_LINE_STATUS;
        }
        if ((interruptEnable & IER_RECEIVED_DATA) != 0) {
            if (timeoutInterruptPending) {
                return IIR_CHARACTER_TIMEOUT;
            }
            if (receiveFifo.size() >= triggerLevel) {
                return IIR_RECEIVED_DATA;
            }
        }
        if ((interruptEnable & IER_THR_EMPTY) != 0 && thrEmptyInterruptPending) {
            return IIR_THR_EMPTY;
        }
        if ((interruptEnable & IER_MODEM_STATUS) != 0 && (modemStatus & 0x0F) != 0) {
            return IIR_MODEM_STATUS;
        }
        return IIR_NO_INTERRUPT;
    }

    /** On a PC the UART's INTRPT output reaches the PIC only through the OUT2-controlled buffer. */
    private void updateInterrupt() {
        boolean pending = interruptIdentification() != IIR_NO_INTERRUPT;
        irq.setLevel(pending && (modemControl & MCR_OUT2) != 0 && (modemControl & MCR_LOOPBACK) == 0);
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        out.writeInt(divisorLatch);
        out.writeInt(interruptEnable);
        out.writeInt(lineControl);
        out.writeInt(modemControl);
        out.writeInt(lineStatus);
        out.writeInt(modemStatus);
        out.writeInt(scratch);
        out.writeBoolean(fifoEnabled);
        out.writeInt(triggerLevel);
        out.writeBoolean(thrEmptyInterruptPending);
        out.writeBoolean(timeoutInterruptPending);
        out.writeInt(receiveFifo.size() + hostInput.size());
        for (int b : receiveFifo) out.writeByte(b);
        for (int b : hostInput) out.writeByte(b);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name + ": unsupported UART state version " + version);
        }
        divisorLatch = in.readInt();
        interruptEnable = in.readInt();
        lineControl = in.readInt();
        modemControl = in.readInt();
        lineStatus = in.readInt();
        modemStatus = in.readInt();
        scratch = in.readInt();
        fifoEnabled = in.readBoolean();
        triggerLevel = in.readInt();
        thrEmptyInterruptPending = in.readBoolean();
        timeoutInterruptPending = in.readBoolean();
        receiveFifo.clear();
        hostInput.clear();
        int queued = in.readInt();
        for (int i = 0; i < queued; i++) hostInput.add(in.readUnsignedByte());
        refillReceiveFifo();
        updateInterrupt();
    }
}
