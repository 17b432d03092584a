package org.vstation.devices.clock;

import java.util.ArrayList;
import java.util.List;
import org.vstation.cpu.bus.TimeSource;

/**
 * Device timers on the virtual clock, owned by the VM thread. A device
 * creates its {@link Timer}s once and (re)schedules them; the machine loop
 * asks for the {@link #nextDeadline()} and calls {@link #runDue()}.
 *
 * <p>A machine has a dozen timers at most, so a linear scan beats a heap and
 * makes rescheduling free of allocation.
 */
public final class EventQueue {
    private static final long NOT_SCHEDULED = Long.MAX_VALUE;

    private final TimeSource clock;
    private final List<Timer> timers = new ArrayList<>();

    public EventQueue(TimeSource clock) {
        this.clock = clock;
    }

    public TimeSource clock() {
        return clock;
    }

    public long now() {
        return clock.nanos();
    }

    /** A new, unscheduled timer that runs {@code action} on the VM thread when due. */
    public Timer newTimer(String name, Runnable action) {
        Timer timer = new Timer(name, action);
        timers.add(timer);
        return timer;
    }

    /** The earliest deadline of any scheduled timer, or {@link Long#MAX_VALUE} when none is. */
    public long nextDeadline() {
        long earliest = NOT_SCHEDULED;
        for (int i = 0, n = timers.size(); i < n; i++) {
            earliest = Math.min(earliest, timers.get(i).deadline);
        }
        return earliest;
    }

    /**
     * Fires every timer whose deadline has passed, earliest first. A timer
     * that reschedules itself into the past fires again in the same call, so
     * a periodic timer catches up (bounded, so a misprogrammed device cannot
     * hang the VM thread). Returns how many fired.
     */
    public int runDue() {
        int fired = 0;
        long now = clock.nanos();
        while (fired < 10_000) {
            Timer due = null;
            for (int i = 0, n = timers.size(); i < n; i++) {
                Timer t = timers.get(i);
                if (t.deadline <= now && (due == null || t.deadline < due.deadline)) {
                    due = t;
                }
            }
            if (due == null) {
                break;
            }
            due.deadline = NOT_SCHEDULED;
            due.action.run();
            fired++;
        }
        return fired;
    }

    /** One device timer. */
    public final class Timer {
        private final String name;
        private final Runnable action;
        private long deadline = NOT_SCHEDULED;

        private Timer(String name, Runnable action) {
            this.name = name;
            this.action = action;
        }

        /** Fires at the given virtual time (nanoseconds since power on). Replaces any earlier schedule. */
        public void scheduleAt(long deadlineNanos) {
            deadline = deadlineNanos;
        }

        public void scheduleAfter(long delayNanos) {
            deadline = clock.nanos() + Math.max(0, delayNanos);
        }

        public void cancel() {
            deadline = NOT_SCHEDULED;
        }

        public boolean isScheduled() {
            return deadline != NOT_SCHEDULED;
        }

        /** The deadline, or {@link Long#MAX_VALUE} when not scheduled. */
        public long deadline() {
            return deadline;
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name + (isScheduled() ? " @" + deadline + "ns" : " (idle)");
        }
    }
}
