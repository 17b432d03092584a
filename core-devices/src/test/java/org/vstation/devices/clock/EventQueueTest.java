package org.vstation.devices.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    private long now;
    private final EventQueue events = new EventQueue(() -> now);

    @Test
    void timersFireInDeadlineOrderOnlyWhenDue() {
        List<String> fired = new ArrayList<>();
        EventQueue.Timer late = events.newTimer("late", () -> fired.add("late"));
        EventQueue.Timer early = events.newTimer("early", () -> fired.add("early"));
        late.scheduleAt(300);
        early.scheduleAt(100);

        assertEquals(100, events.nextDeadline());
        now = 99;
        assertEquals(0, events.runDue());
        now = 1000;
        assertEquals(2, events.runDue());
        assertEquals(List.of("early", "late"), fired);
        assertFalse(early.isScheduled());
        assertEquals(Long.MAX_VALUE, events.nextDeadline());
    }

    @Test
    void cancelledTimerDoesNotFire() {
        List<String> fired = new ArrayList<>();
        EventQueue.Timer timer = events.newTimer("t", () -> fired.add("t"));
        timer.scheduleAfter(50);
        timer.cancel();
        now = 100;
        events.runDue();
        assertTrue(fired.isEmpty());
    }

    @Test
    void periodicTimerCatchesUpWithinOneCall() {
        int[] ticks = {0};
        EventQueue.Timer[] holder = new EventQueue.Timer[1];
        holder[0] = events.newTimer("tick", () -> {
            ticks[0]++;
            holder[0].scheduleAt(ticks[0] * 10L);
        });
        holder[0].scheduleAt(0);
        now = 95;
        events.runDue();
        assertEquals(10, ticks[0], "deadlines 0,10,...,90 are all due at t=95");
        assertEquals(100, events.nextDeadline());
    }

    @Test
    void runawayTimerIsBoundedPerCall() {
        EventQueue.Timer[] holder = new EventQueue.Timer[1];
        holder[0] = events.newTimer("storm", () -> holder[0].scheduleAt(0));
        holder[0].scheduleAt(0);
        assertEquals(10_000, events.runDue());
    }

    @Test
    void virtualClockStopsWhilePaused() throws InterruptedException {
        VirtualClock clock = new VirtualClock();
        clock.pause();
        long frozen = clock.nanos();
        Thread.sleep(5);
        assertEquals(frozen, clock.nanos());
        clock.resume();
        Thread.sleep(2);
        long after = clock.nanos();
        assertTrue(after > frozen && after - frozen < 1_000_000_000L, "time resumes from where it stopped");
    }
}
