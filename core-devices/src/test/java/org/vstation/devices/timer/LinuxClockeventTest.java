package org.vstation.devices.timer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;

/**
 * Counter 0 as Linux 6.1 drives it in high-resolution mode (drivers/clocksource/i8253.c): the
 * clockevent's set_state_oneshot writes control word 0x38 (mode 4) once, set_next_event writes only
 * the count, LSB then MSB, from each timer interrupt; and while the PIT is also the clocksource
 * watchdog, its read latches counter 0 and, finding a count above LATCH (the one-shot count has
 * run out and wrapped), reprograms mode 2 with LATCH behind the clockevent's back. Whatever the
 * interleaving, the interrupts must keep coming, or guest time stops.
 */
class LinuxClockeventTest {
    /** Linux's PIT_LATCH for HZ=250 (Debian's 686 kernel): (1193182 + 125) / 250. */
    private static final int PIT_LATCH = 4773;
    /** The clockevent's min_delta_ticks. */
    private static final int MIN_DELTA = 0xF;
    /** The longest stretch the simulated guest runs between two looks at the PIT, in ticks. */
    private static final int MAX_STEP = 4000;

    private static final TickClock TICKS = new TickClock(Pit8254.INPUT_CLOCK_HZ);

    private long now = TICKS.nanosOfTick(5_965_911);
    private final EventQueue events = new EventQueue(() -> now);
    private final List<Long> irq0Edges = new ArrayList<>();
    private final Pit8254 pit = new Pit8254(events, high -> {
        if (high) irq0Edges.add(now);
    });
    private final IoPortBus io = new IoPortBus();

    LinuxClockeventTest() {
        io.place(pit, Pit8254.BASE_PORT, Pit8254.PORT_COUNT);
    }

    private void advanceTicks(long ticks) {
        long end = TICKS.nanosOfTick(TICKS.ticksAt(now) + ticks);
        while (events.nextDeadline() <= end) {
            now = Math.max(now, events.nextDeadline());
            events.runDue();
        }
        now = end;
    }

    /** pit_next_event(delta). */
    private void setNextEvent(int delta) {
        io.write(0x40, 1, delta & 0xFF);
        io.write(0x40, 1, delta >>> 8);
    }

    /** i8253_read: latch, read LSB and MSB, and reset a count above LATCH to periodic LATCH. */
    private void clocksourceRead() {
        io.write(0x43, 1, 0x00);
        int count = io.read(0x40, 1) | io.read(0x40, 1) << 8;
        if (count > PIT_LATCH) {
            io.write(0x43, 1, 0x34);
            io.write(0x40, 1, PIT_LATCH & 0xFF);
            io.write(0x40, 1, PIT_LATCH >>> 8);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void oneShotInterruptsNeverStopWhateverTheInterleaving(long seed) {
        Random random = new Random(seed);
        io.write(0x43, 1, 0x38);
        setNextEvent(PIT_LATCH);
        long lastInterrupt = TICKS.ticksAt(now);
        for (int step = 0; step < 50_000; step++) {
            int before = irq0Edges.size();
            advanceTicks(1 + random.nextInt(random.nextBoolean() ? 40 : MAX_STEP));
            long tick = TICKS.ticksAt(now);
            if (irq0Edges.size() > before) {
                lastInterrupt = tick;
                // hrtimer_interrupt: the next event, sometimes already due (the minimum delta).
                int delta = random.nextInt(4) == 0 ? MIN_DELTA : MIN_DELTA + random.nextInt(PIT_LATCH - MIN_DELTA);
                setNextEvent(delta);
            }
            if (random.nextInt(8) == 0) {
                clocksourceRead(); // the clocksource watchdog, at any moment
            }
            // A one-shot count or a mode 2 period is at most LATCH; OUT rises at most 2 ticks after it.
            assertTrue(tick - lastInterrupt <= PIT_LATCH + 2 + MAX_STEP,
                    "no IRQ 0 for " + (tick - lastInterrupt) + " ticks at step " + step);
        }
    }
}
