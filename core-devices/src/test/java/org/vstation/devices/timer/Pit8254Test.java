package org.vstation.devices.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;

/** Programs the 8254 through ports 0x40-0x43 and 0x61 as firmware and kernels do, on a manual clock. */
class Pit8254Test {
    private static final double NANOS_PER_TICK = 1e9 / Pit8254.INPUT_CLOCK_HZ;

    private static final TickClock TICKS = new TickClock(Pit8254.INPUT_CLOCK_HZ);
    /** Power on was a while ago (nothing may depend on tick 0); tests start on a tick boundary. */
    private static final long START = TICKS.nanosOfTick(5_965_911);

    private long now = START;
    private final EventQueue events = new EventQueue(() -> now);
    private final List<Long> irq0Edges = new ArrayList<>();
    private final Pit8254 pit = new Pit8254(events, high -> {
        if (high) irq0Edges.add(now);
    });
    private final SystemControlPortB portB = new SystemControlPortB(pit);
    private final IoPortBus io = new IoPortBus();

    Pit8254Test() {
        io.place(pit, Pit8254.BASE_PORT, Pit8254.PORT_COUNT);
        io.place(portB, SystemControlPortB.PORT, 1);
    }

    /** Runs the event queue deadline by deadline until {@code nanos} have passed. */
    private void advance(long nanos) {
        long end = now + nanos;
        while (events.nextDeadline() <= end) {
            now = Math.max(now, events.nextDeadline());
            events.runDue();
        }
        now = end;
    }

    /** Advances to the start of the tick {@code ticks} after the current one. */
    private void advanceTicks(long ticks) {
        advance(TICKS.nanosOfTick(TICKS.ticksAt(now) + ticks) - now);
    }

    private void program(int counter, int mode, int count) {
        io.write(0x43, 1, counter << 6 | 0x30 | mode << 1);
        io.write(0x40 + counter, 1, count & 0xFF);
        io.write(0x40 + counter, 1, (count >>> 8) & 0xFF);
    }

    private int latchAndRead(int counter) {
        io.write(0x43, 1, counter << 6);
        return io.read(0x40 + counter, 1) | io.read(0x40 + counter, 1) << 8;
    }

    private int readBackStatus(int counter) {
        io.write(0x43, 1, 0xE0 | 2 << counter); // read-back: status only
        return io.read(0x40 + counter, 1);
    }

    private void assertPeriods(int count, int expectedEdges) {
        assertEquals(expectedEdges, irq0Edges.size());
        double expected = count * NANOS_PER_TICK;
        for (int i = 1; i < irq0Edges.size(); i++) {
            long period = irq0Edges.get(i) - irq0Edges.get(i - 1);
            assertEquals(expected, period, 1.0, "period " + i);
        }
    }

    @Test
    void mode2RateGeneratorInterruptsAtTheProgrammedRate() {
        program(0, 2, 11932); // Linux's HZ=100 divisor
        advance(1_000_100_000L);
        assertPeriods(11932, 100);
        assertEquals(11933 * NANOS_PER_TICK, irq0Edges.get(0) - START, 1.0,
                "the count loads one clock after the write, OUT rises after N more");
    }

    @Test
    void biosDefaultCountOfZeroMeans65536() {
        program(0, 3, 0); // the BIOS's 18.2 Hz tick
        advance(1_000_000_000L);
        assertPeriods(0x10000, 18);
    }

    @Test
    void mode3SquareWaveHasTheProgrammedPeriodAndHalfHighOutput() {
        program(0, 3, 1000);
        advance(100_000_000L);
        assertPeriods(1000, 119);
        int status = readBackStatus(0);
        assertEquals(0x36, status & 0x3F, "access lo/hi, mode 3, binary");
        assertFalse((status & 0x40) != 0, "count loaded: NULL COUNT clear");
    }

    @Test
    void mode2CounterReadsCountDown() {
        program(0, 2, 10000);
        advanceTicks(1 + 2500);
        int first = latchAndRead(0);
        assertEquals(10000 - 2500, first, 1);
        advanceTicks(5000);
        assertEquals(first - 5000, latchAndRead(0), 1);
        advanceTicks(5000);
        assertEquals(first, latchAndRead(0), 1, "the counter reloads every period");
    }

    @Test
    void latchedCountHoldsWhileTheCounterRuns() {
        program(0, 2, 50000);
        advanceTicks(1001);
        io.write(0x43, 1, 0x00);
        advanceTicks(20000);
        io.write(0x43, 1, 0x00); // a second latch before reading is ignored
        int value = io.read(0x40, 1) | io.read(0x40, 1) << 8;
        assertEquals(49000, value, 1);
        int live = io.read(0x40, 1) | io.read(0x40, 1) << 8;
        assertEquals(29000, live, 1, "the latch is released after both bytes");
    }

    @Test
    void mode0InterruptsOnceAtTerminalCount() {
        program(0, 0, 1000);
        assertFalse(pit.output(0), "mode 0 OUT starts low");
        advance(50_000_000L);
        assertEquals(1, irq0Edges.size());
        assertEquals(1001 * NANOS_PER_TICK, irq0Edges.get(0) - START, 1.0);
        assertTrue(pit.output(0));
        assertTrue((readBackStatus(0) & 0x80) != 0);
    }

    @Test
    void mode4StrobesOneClockAfterTerminalCount() {
        program(0, 4, 300);
        advance(10_000_000L);
        assertEquals(1, irq0Edges.size());
        assertEquals(302 * NANOS_PER_TICK, irq0Edges.get(0) - START, 1.0);
    }

    @Test
    void oneShotEdgeDueBeforeTheNextCountIsWrittenStillArrives() {
        // Linux's one-shot clockevent: mode 4 once, then LSB/MSB for each event. The CPU can write the next
        // count after the old one expired but before the event loop ran that edge (it was inside a block).
        io.write(0x43, 1, 0x38);
        io.write(0x40, 1, 100);
        io.write(0x40, 1, 0);
        now += TICKS.nanosOfTick(TICKS.ticksAt(now) + 200) - now; // past the edge, events not yet run
        io.write(0x40, 1, 50);
        assertEquals(1, irq0Edges.size(), "the passed edge is delivered before the new count takes over");
        io.write(0x40, 1, 0);
        advance(10_000_000L);
        assertEquals(2, irq0Edges.size(), "and the new count gives its own edge");
    }

    @Test
    void counter2GatedThroughPort61LikeSeaBiosTscCalibration() {
        io.write(0x61, 1, (io.read(0x61, 1) & ~0x02) | 0x01); // gate on, speaker off
        program(2, 0, 11932);                                // 10 ms one-shot
        assertEquals(0, io.read(0x61, 1) & 0x20);
        advanceTicks(11932);
        assertEquals(0, io.read(0x61, 1) & 0x20, "OUT rises N+1 clocks after the write");
        advanceTicks(1);
        assertEquals(0x20, io.read(0x61, 1) & 0x20);
        assertEquals(0x01, io.read(0x61, 1) & 0x0F);
    }

    @Test
    void gateLowSuspendsMode0Counting() {
        io.write(0x61, 1, 0x01);
        program(2, 0, 5000);
        advanceTicks(1001);
        io.write(0x61, 1, 0x00);
        int held = latchAndRead(2);
        advanceTicks(10000);
        assertEquals(held, latchAndRead(2));
        assertFalse(pit.output(2));
        io.write(0x61, 1, 0x01);
        advanceTicks(held - 1);
        assertFalse(pit.output(2));
        advanceTicks(1);
        assertTrue(pit.output(2), "counting resumed where it stopped");
    }

    @Test
    void mode1IsAOneShotTriggeredByTheGate() {
        program(2, 1, 400);
        assertTrue(pit.output(2));
        advanceTicks(1000);
        assertTrue(pit.output(2), "nothing happens without a trigger");
        io.write(0x61, 1, 0x01);
        advanceTicks(2);
        assertFalse(pit.output(2));
        advanceTicks(398);
        assertFalse(pit.output(2));
        advanceTicks(1);
        assertTrue(pit.output(2));
        io.write(0x61, 1, 0x00);
        io.write(0x61, 1, 0x01); // retrigger
        advanceTicks(2);
        assertFalse(pit.output(2));
    }

    @Test
    void mode5StrobesAfterAGateTrigger() {
        program(2, 5, 100);
        io.write(0x61, 1, 0x01);
        advanceTicks(100);
        assertTrue(pit.output(2));
        advanceTicks(1);
        assertFalse(pit.output(2), "one clock low at terminal count");
        advanceTicks(1);
        assertTrue(pit.output(2));
    }

    @Test
    void gateLowStopsMode3AndForcesOutputHigh() {
        io.write(0x61, 1, 0x01);
        program(2, 3, 1000);
        advanceTicks(700); // inside the low half
        assertFalse(pit.output(2));
        io.write(0x61, 1, 0x00);
        assertTrue(pit.output(2));
        io.write(0x61, 1, 0x01); // a rising gate restarts the period
        advanceTicks(400);
        assertTrue(pit.output(2));
        advanceTicks(200);
        assertFalse(pit.output(2));
    }

    @Test
    void newMode2CountTakesEffectAtTheEndOfTheCurrentPeriod() {
        program(0, 2, 10000);
        advanceTicks(3000);
        io.write(0x40, 1, 1000 & 0xFF); // a new count without a control word
        io.write(0x40, 1, 1000 >>> 8);
        advanceTicks(7000);
        assertEquals(0, irq0Edges.size(), "the running period completes with the old count");
        advanceTicks(1);
        assertEquals(1, irq0Edges.size());
        irq0Edges.clear();
        advanceTicks(10000);
        assertPeriods(1000, 10);
    }

    @Test
    void bcdCountsInDecimal() {
        io.write(0x43, 1, 0x35); // counter 0, lo/hi, mode 2, BCD
        io.write(0x40, 1, 0x00);
        io.write(0x40, 1, 0x10); // 1000 decimal
        advanceTicks(1 + 250);
        assertEquals(0x0750, latchAndRead(0), 1);
        advance(100_000_000L);
        assertPeriods(1000, 119);
    }

    @Test
    void singleByteAccessModes() {
        io.write(0x43, 1, 0x24); // counter 0, MSB only, mode 2
        io.write(0x40, 1, 0x20); // count 0x2000
        advanceTicks(1 + 0x100);
        assertEquals(0x1F, io.read(0x40, 1), "MSB-only reads give the high byte");
        io.write(0x43, 1, 0x94); // counter 2, LSB only, mode 2
        io.write(0x61, 1, 0x01);
        io.write(0x42, 1, 0xC8); // count 200
        advanceTicks(1 + 50);
        assertEquals(150, io.read(0x42, 1), 1);
    }

    @Test
    void readBackLatchesStatusBeforeCount() {
        program(1, 2, 18);
        io.write(0x43, 1, 0xC4); // read-back counter 1: count and status
        int status = io.read(0x41, 1);
        assertEquals(0x74, status & 0x7F, "NULL COUNT set until the count is loaded; lo/hi; mode 2");
        int count = io.read(0x41, 1) | io.read(0x41, 1) << 8;
        assertEquals(18, count);
        advanceTicks(2);
        assertEquals(0, readBackStatus(1) & 0x40);
    }

    @Test
    void refreshToggleFlipsEvery15Microseconds() {
        int before = io.read(0x61, 1) & 0x10;
        advanceTicks(18);
        assertEquals(before ^ 0x10, io.read(0x61, 1) & 0x10);
        advanceTicks(18);
        assertEquals(before, io.read(0x61, 1) & 0x10);
    }

    @Test
    void tinyCountsDoNotFloodTheEventQueue() {
        program(0, 2, 2);
        advance(1_000_000L);
        assertTrue(irq0Edges.size() <= 101, "edges are merged to at most one per 10 us: " + irq0Edges.size());
        assertTrue(irq0Edges.size() >= 99);
    }

    @Test
    void garbageOnEveryPortNeverThrows() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            int port = random.nextBoolean() ? 0x40 + random.nextInt(4) : 0x61;
            if (random.nextBoolean()) {
                io.write(port, 1 << random.nextInt(3), random.nextInt());
            } else {
                io.read(port, 1 << random.nextInt(3));
            }
            if (i % 100 == 0) advance(random.nextInt(100_000));
        }
    }

    @Test
    void stateSurvivesSnapshot() throws IOException {
        program(0, 2, 5000);
        advanceTicks(1234);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        pit.saveState(new DataOutputStream(bytes));
        int expected = latchAndRead(0);

        List<Long> copyEdges = new ArrayList<>();
        EventQueue copyEvents = new EventQueue(() -> now);
        Pit8254 copy = new Pit8254(copyEvents, high -> copyEdges.add(now));
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        copy.ioWrite(3, 1, 0x00);
        assertEquals(expected, copy.ioRead(0, 1) | copy.ioRead(0, 1) << 8);
        assertTrue(copyEvents.nextDeadline() < Long.MAX_VALUE, "IRQ 0 timer re-armed");
    }
}
