package org.vstation.devices.timer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * Intel 8254 programmable interval timer at ports 0x40-0x43, clocked at 1.193182 MHz.
 * Follows the Intel 8254 datasheet (order 231164): modes 0-5, counter latch, read-back, BCD.
 *
 * <p>Counters are not stepped: each one remembers the virtual-clock tick at
 * which its count was written (or triggered), and its value and OUT are
 * computed from the current tick, so reads are exact at any emulation speed.
 * Counter 0's OUT drives IRQ 0: an {@link EventQueue} timer fires at each
 * rising edge. Counter 1 (refresh) is free running; counter 2's gate and OUT
 * are wired to port 0x61 ({@link SystemControlPortB}).
 */
public final class Pit8254 implements IoDevice, Snapshottable {
    public static final int BASE_PORT = 0x40;
    public static final int PORT_COUNT = 4;
    public static final long INPUT_CLOCK_HZ = 1_193_182;
    public static final int CONTROL_WORD = 3;

    private static final int CONTROL_READ_BACK = 3;
    private static final int ACCESS_LATCH = 0;
    private static final int ACCESS_LSB = 1;
    private static final int ACCESS_MSB = 2;
    private static final int ACCESS_LSB_MSB = 3;
    private static final int READ_BACK_NO_COUNT = 0x20;
    private static final int READ_BACK_NO_STATUS = 0x10;
    private static final int STATUS_OUTPUT = 0x80;
    private static final int STATUS_NULL_COUNT = 0x40;
    /**
     * IRQ 0 edges closer together than this are merged: the 8259 latches one
     * edge until INTA anyway, and a guest programming a count of 2 must not
     * turn the event queue into a busy loop.
     */
    private static final long MIN_IRQ_INTERVAL_NANOS = 10_000;

    // Counting state of one counter (datasheet, "Operation").
    private static final int IDLE = 0;             // mode written, no count yet
    private static final int WAITING_TRIGGER = 1;  // modes 1 and 5: count written, no gate trigger yet
    private static final int RUNNING = 2;

    private final TickClock clock = new TickClock(INPUT_CLOCK_HZ);
    private final EventQueue events;
    private final InterruptLine irq0;
    private final EventQueue.Timer irq0Timer;
    private final Counter[] counters = {new Counter(), new Counter(), new Counter()};
    private long lastIrq0Nanos = Long.MIN_VALUE / 2;
    private long scheduledIrq0Edge;
    /** Lost-tick compensation (see {@link #compensateLostTicks}): whether the PIC still holds an IRQ 0 edge. */
    private BooleanSupplier irq0Latched;
    private int owedTicks;

    public Pit8254(EventQueue events, InterruptLine irq0) {
        this.events = events;
        this.irq0 = irq0;
        this.irq0Timer = events.newTimer("PIT counter 0", this::counter0RisingEdge);
        counters[0].gate = true;
        counters[1].gate = true;
    }

    @Override
    public String name() {
        return "8254 PIT";
    }

    private long currentTick() {
        return clock.ticksAt(events.now());
    }

    // ---- wiring for port 0x61 ---------------------------------------------------

    /** GATE input of a counter (only counter 2's is wired, to port 0x61 bit 0). */
    public void setGate(int counter, boolean high) {
        if (counter == 0) deliverPassedIrq0Edge();
        counters[counter].setGate(high, currentTick());
        if (counter == 0) rescheduleIrq0();
    }

    public boolean gate(int counter) {
        return counters[counter].gate;
    }

    /** Level of a counter's OUT pin now. */
    public boolean output(int counter) {
        return counters[counter].output(currentTick());
    }

    /** Ticks of the 1.193182 MHz input clock since power on (port 0x61's refresh toggle follows it). */
    public long inputClockTicks() {
        return currentTick();
    }

    /** System reset: every counter waits in mode 0 for a count; counter 2's gate is low. */
    public void reset() {
        long tick = currentTick();
        for (Counter counter : counters) {
            counter.program(0, ACCESS_LSB_MSB, false, tick);
        }
        counters[2].gate = false;
        irq0Timer.cancel();
        owedTicks = 0;
    }

    /**
     * Turns on lost-tick compensation for IRQ 0, as virtual machines do for
     * guests that count timer interrupts to keep time (Linux's jiffies, DOS):
     * a periodic tick that arrives while the previous one is still latched in
     * the PIC ({@code irq0Latched}, its IRR bit) is owed, not dropped, and is
     * sent as soon as the PIC hands the previous one to the CPU
     * ({@link #irq0Acknowledged}). This holds while
     * the guest masks IRQ 0 too: Linux masks it in the IMR while its handler
     * runs, and a host that deschedules the VM thread then would otherwise
     * cost the guest ticks. At most one second of ticks is owed, and
     * reprogramming counter 0 forgives the debt.
     */
    public void compensateLostTicks(BooleanSupplier irq0Latched) {
        this.irq0Latched = irq0Latched;
    }

    /** The PIC's INTA handed IRQ 0 to the CPU: an owed tick, if any, follows. */
    public void irq0Acknowledged() {
        if (irq0Latched != null && owedTicks > 0) {
            owedTicks--;
            irq0.pulse();
        }
    }

    /** Ticks owed to the guest (lost-tick compensation). */
    public int owedTicks() {
        return owedTicks;
    }

    // ---- register protocol ----------------------------------------------------------

    @Override
    public int ioRead(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size && offset + i < PORT_COUNT; i++) {
            value |= readRegister(offset + i) << (8 * i);
        }
        return value;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        for (int i = 0; i < size && offset + i < PORT_COUNT; i++) {
            writeRegister(offset + i, (value >>> (8 * i)) & 0xFF);
        }
    }

    private int readRegister(int offset) {
        if (offset == CONTROL_WORD) {
            return 0xFF; // the control word register is write-only
        }
        return counters[offset].read(currentTick());
    }

    private void writeRegister(int offset, int value) {
        if (offset == 0 || offset == CONTROL_WORD) {
            deliverPassedIrq0Edge();
        }
        long tick = currentTick();
        if (offset == CONTROL_WORD) {
            writeControlWord(value, tick);
        } else {
            counters[offset].writeCount(value, tick);
            if (offset == 0) {
                owedTicks = 0; // a new count starts a new timebase
                rescheduleIrq0();
            }
        }
    }

    private void writeControlWord(int value, long tick) {
        int select = value >>> 6;
        if (select == CONTROL_READ_BACK) {
            for (int c = 0; c < 3; c++) {
                if ((value & (2 << c)) == 0) continue;
                if ((value & READ_BACK_NO_STATUS) == 0) counters[c].latchStatus(tick);
                if ((value & READ_BACK_NO_COUNT) == 0) counters[c].latchCount(tick);
            }
            return;
        }
        Counter counter = counters[select];
        int access = (value >>> 4) & 3;
        if (access == ACCESS_LATCH) {
            counter.latchCount(tick);
            return;
        }
        int mode = (value >>> 1) & 7;
        counter.program(mode > 5 ? mode - 4 : mode, access, (value & 1) != 0, tick);
        if (select == 0) {
            owedTicks = 0;
            rescheduleIrq0();
        }
    }

    // ---- IRQ 0 -------------------------------------------------------------------------

    /**
     * An IRQ 0 edge whose time has come but whose event has not run yet (the
     * CPU was inside a block) happened before this write: deliver it first, or
     * reprogramming counter 0 would cancel it and the guest would wait forever
     * for a one-shot interrupt it was owed.
     */
    private void deliverPassedIrq0Edge() {
        if (irq0Timer.isScheduled() && irq0Timer.deadline() <= events.now()) {
            irq0Timer.cancel();
            counter0RisingEdge();
        }
    }

    private void rescheduleIrq0() {
        long edge = counters[0].nextRisingEdge(currentTick());
        if (edge < 0) {
            irq0Timer.cancel();
        } else {
            scheduledIrq0Edge = edge;
            irq0Timer.scheduleAt(Math.max(clock.nanosOfTick(edge), lastIrq0Nanos + MIN_IRQ_INTERVAL_NANOS));
        }
    }

    private void counter0RisingEdge() {
        lastIrq0Nanos = events.now();
        Counter counter = counters[0];
        boolean periodic = counter.mode == 2 || counter.mode == 3;
        // Edges that passed while the VM thread was busy (or merged by the minimum interval).
        int edges = 1 + (periodic ? (int) Math.min(Integer.MAX_VALUE, (currentTick() - scheduledIrq0Edge) / counter.count) : 0);
        if (irq0Latched == null || !periodic) {
            irq0.pulse();
        } else {
            if (!irq0Latched.getAsBoolean()) {
                irq0.pulse();
                edges--;
            }
            int maxOwed = (int) Math.max(1, (INPUT_CLOCK_HZ + counter.count / 2) / counter.count);
            owedTicks = (int) Math.min(maxOwed, (long) owedTicks + edges);
        }
        rescheduleIrq0();
    }


    // ---- one counter -----------------------------------------------------------------------

    /** One of the three counters: control, count register, counting element, latches. */
    private static final class Counter {
        int mode;
        int access = ACCESS_LSB_MSB;
        boolean bcd;
        boolean gate;
        int state = IDLE;
        /** The count register as last written by the guest (raw, BCD if selected). */
        int countRegister;
        /** The count in use, in binary: 1..65536 (1..10000 in BCD). */
        int count = 0x10000;
        /** The tick at which the count was written or triggered; it enters the counter one tick later. */
        long startTick;
        /** While counting is stopped by GATE: the elapsed ticks it stopped at, else -1. */
        long frozenTicks = -1;
        /** Modes 2 and 3: a count written while counting takes over at this period boundary, else -1. */
        long nextCountTick = -1;
        int nextCount;
        /** What the counting element holds before a count is loaded. */
        int idleValue;
        boolean writeHighByteNext;
        int lowByteWritten;
        boolean readHighByteNext;
        boolean countLatched;
        int latchedCount;
        boolean latchedReadHighByteNext;
        boolean statusLatched;
        int latchedStatus;

        int modulus() {
            return bcd ? 10_000 : 0x10000;
        }

        void program(int newMode, int newAccess, boolean newBcd, long tick) {
            idleValue = countingElement(tick);
            mode = newMode;
            access = newAccess;
            bcd = newBcd;
            state = IDLE;
            frozenTicks = -1;
            nextCountTick = -1;
            writeHighByteNext = false;
            readHighByteNext = false;
            countLatched = false;
            statusLatched = false;
        }

        void writeCount(int value, long tick) {
            switch (access) {
                case ACCESS_LSB -> loadCount(value, tick);
                case ACCESS_MSB -> loadCount(value << 8, tick);
                default -> {
                    if (!writeHighByteNext) {
                        lowByteWritten = value;
                        writeHighByteNext = true;
                        if (mode == 0 && state == RUNNING) {
                            // Mode 0: writing the first byte stops counting and OUT goes low.
                            idleValue = countingElement(tick);
                            state = IDLE;
                        }
                    } else {
                        writeHighByteNext = false;
                        loadCount(lowByteWritten | value << 8, tick);
                    }
                }
            }
        }

        private int binaryCount(int raw) {
            if (bcd) {
                int n = ((raw >>> 12) & 0xF) * 1000 + ((raw >>> 8) & 0xF) * 100 + ((raw >>> 4) & 0xF) * 10 + (raw & 0xF);
                n %= 10_000;
                return n == 0 ? 10_000 : n;
            }
            return raw == 0 ? 0x10000 : raw;
        }

        private void loadCount(int raw, long tick) {
            countRegister = raw & 0xFFFF;
            int n = binaryCount(countRegister);
            settlePendingCount(tick);
            switch (mode) {
                case 1, 5 -> {
                    if (state == IDLE) state = WAITING_TRIGGER; // the count waits for a gate trigger
                }
                case 2, 3 -> {
                    if (state == RUNNING && frozenTicks < 0 && tick - startTick >= 1) {
                        // Datasheet, modes 2 and 3: a new count does not disturb the current period.
                        // Mode 3 takes it at the end of the whole cycle here, not of the half-cycle.
                        nextCount = n;
                        nextCountTick = nextPeriodBoundary(tick);
                    } else {
                        start(n, tick);
                    }
                }
                default -> start(n, tick);
            }
        }

        private void start(int n, long tick) {
            count = n;
            state = RUNNING;
            startTick = tick;
            nextCountTick = -1;
            boolean stoppedByGate = !gate && mode != 1 && mode != 5;
            // Modes 0 and 4 load the count and then hold it while GATE is low; modes 2 and 3 wait for GATE.
            frozenTicks = stoppedByGate ? (mode == 0 || mode == 4 ? 1 : 0) : -1;
        }

        /** The first tick after {@code tick} at which modes 2/3 reload the count (k = jN + 1). */
        private long nextPeriodBoundary(long tick) {
            long k = tick - startTick;
            long periods = (k - 1) / count + 1;
            return startTick + periods * count + 1;
        }

        private void settlePendingCount(long tick) {
            if (nextCountTick >= 0 && tick >= nextCountTick) {
                count = nextCount;
                startTick = nextCountTick - 1;
                nextCountTick = -1;
            }
        }

        void setGate(boolean high, long tick) {
            if (high == gate) return;
            gate = high;
            settlePendingCount(tick);
            if (high) {
                switch (mode) {
                    case 1, 5 -> {
                        if (state != IDLE) {
                            count = binaryCount(countRegister);
                            state = RUNNING;
                            startTick = tick;
                            frozenTicks = -1;
                        }
                    }
                    case 2, 3 -> {
                        if (state == RUNNING) {
                            count = binaryCount(countRegister); // a rising GATE reloads the count
                            startTick = tick;
                            frozenTicks = -1;
                        }
                    }
                    default -> {
                        if (state == RUNNING && frozenTicks >= 0) {
                            startTick = tick - frozenTicks;
                            frozenTicks = -1;
                        }
                    }
                }
            } else if (state == RUNNING && mode != 1 && mode != 5 && frozenTicks < 0) {
                frozenTicks = tick - startTick;
            }
        }

        /** Ticks since the count was written or triggered; 1 is the tick that loads it. */
        private long elapsed(long tick) {
            return frozenTicks >= 0 ? frozenTicks : tick - startTick;
        }

        /** The counting element in binary, 0..modulus-1. */
        int countingElement(long tick) {
            if (state != RUNNING) return idleValue;
            settlePendingCount(tick);
            long k = elapsed(tick);
            int m = modulus();
            if (k < 1) return count % m;
            return switch (mode) {
                case 2 -> count - (int) ((k - 1) % count);
                case 3 -> squareWaveCount(k);
                default -> (int) Math.floorMod(count - (k - 1), (long) m);
            } % m;
        }

        /** Mode 3 counts down by two, through the high half (N+1)/2 ticks long, then the low half. */
        private int squareWaveCount(long k) {
            long phase = (k - 1) % count;
            int highHalf = (count + 1) / 2;
            long inHalf = phase < highHalf ? phase : phase - highHalf;
            int reload = (count & 1) == 0 ? count : count - 1;
            return (int) Math.max(0, reload - 2 * inHalf);
        }

        boolean output(long tick) {
            switch (state) {
                case IDLE:
                    return mode != 0;
                case WAITING_TRIGGER:
                    return true;
                default:
                    break;
            }
            settlePendingCount(tick);
            long k = elapsed(tick);
            return switch (mode) {
                case 0 -> k >= count + 1L;
                case 1 -> k < 1 || k >= count + 1L;
                case 2 -> frozenTicks >= 0 || k < 1 || (k - 1) % count != count - 1;
                case 3 -> frozenTicks >= 0 || k < 1 || (k - 1) % count < (count + 1) / 2;
                default -> k != count + 1L; // modes 4 and 5: one tick low at terminal count
            };
        }

        /** The first tick after {@code tick} at which OUT rises, or -1 if it never will without a new write. */
        long nextRisingEdge(long tick) {
            if (state != RUNNING || frozenTicks >= 0) return -1;
            settlePendingCount(tick);
            long edge;
            switch (mode) {
                case 0, 1 -> edge = startTick + count + 1;
                case 4, 5 -> edge = startTick + count + 2;
                default -> {
                    if (count < 2) return -1; // a count of 1 is illegal in modes 2 and 3: no edges
                    long k = tick - startTick;
                    long periods = Math.max(1, k < 1 ? 1 : (k - 1) / count + 1);
                    edge = startTick + periods * count + 1;
                }
            }
            return edge > tick ? edge : -1;
        }

        void latchCount(long tick) {
            if (countLatched) return; // a second latch before the first is read is ignored
            int value = countingElement(tick);
            latchedCount = bcd ? toBcd(value) : value;
            countLatched = true;
            latchedReadHighByteNext = false;
        }

        void latchStatus(long tick) {
            if (statusLatched) return;
            boolean nullCount = state != RUNNING || elapsed(tick) < 1 || nextCountTick >= 0;
            latchedStatus = (output(tick) ? STATUS_OUTPUT : 0) | (nullCount ? STATUS_NULL_COUNT : 0)
                    | access << 4 | mode << 1 | (bcd ? 1 : 0);
            statusLatched = true;
        }

        int read(long tick) {
            if (statusLatched) {
                statusLatched = false;
                return latchedStatus;
            }
            if (countLatched) {
                switch (access) {
                    case ACCESS_LSB -> {
                        countLatched = false;
                        return latchedCount & 0xFF;
                    }
                    case ACCESS_MSB -> {
                        countLatched = false;
                        return latchedCount >>> 8;
                    }
                    default -> {
                        if (!latchedReadHighByteNext) {
                            latchedReadHighByteNext = true;
                            return latchedCount & 0xFF;
                        }
                        countLatched = false;
                        return latchedCount >>> 8;
                    }
                }
            }
            int value = countingElement(tick);
            if (bcd) value = toBcd(value);
            return switch (access) {
                case ACCESS_LSB -> value & 0xFF;
                case ACCESS_MSB -> value >>> 8;
                default -> {
                    readHighByteNext = !readHighByteNext;
                    yield readHighByteNext ? value & 0xFF : value >>> 8;
                }
            };
        }

        private static int toBcd(int value) {
            return (value / 1000 % 10) << 12 | (value / 100 % 10) << 8 | (value / 10 % 10) << 4 | value % 10;
        }

        void save(DataOutput out) throws IOException {
            int[] ints = {mode, access, state, countRegister, count, nextCount, idleValue, lowByteWritten,
                latchedCount, latchedStatus};
            for (int v : ints) out.writeInt(v);
            out.writeLong(startTick);
            out.writeLong(frozenTicks);
            out.writeLong(nextCountTick);
            boolean[] flags = {bcd, gate, writeHighByteNext, readHighByteNext, countLatched,
                latchedReadHighByteNext, statusLatched};
            for (boolean f : flags) out.writeBoolean(f);
        }

        void restore(DataInput in) throws IOException {
            mode = in.readInt();
            access = in.readInt();
            state = in.readInt();
            countRegister = in.readInt();
            count = in.readInt();
            nextCount = in.readInt();
            idleValue = in.readInt();
            lowByteWritten = in.readInt();
            latchedCount = in.readInt();
            latchedStatus = in.readInt();
            startTick = in.readLong();
            frozenTicks = in.readLong();
            nextCountTick = in.readLong();
            bcd = in.readBoolean();
            gate = in.readBoolean();
            writeHighByteNext = in.readBoolean();
            readHighByteNext = in.readBoolean();
            countLatched = in.readBoolean();
            latchedReadHighByteNext = in.readBoolean();
            statusLatched = in.readBoolean();
            if (mode < 0 || mode > 5 || count < 1 || count > 0x10000 || (nextCountTick >= 0 && nextCount < 1)) {
                throw new IOException("8254 PIT: corrupt counter state (mode " + mode + ", count " + count + ")");
            }
        }
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        for (Counter c : counters) c.save(out);
        out.writeInt(owedTicks);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("8254 PIT: unsupported state version " + version);
        }
        for (Counter c : counters) c.restore(in);
        owedTicks = in.readInt();
        lastIrq0Nanos = Long.MIN_VALUE / 2;
        rescheduleIrq0();
    }
}
