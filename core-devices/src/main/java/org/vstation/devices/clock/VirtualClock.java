package org.vstation.devices.clock;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.vstation.cpu.bus.TimeSource;

/**
 * Guest time, in nanoseconds since power on. While the CPU runs, guest time
 * advances with the instructions it retires, at a pace re-estimated a few
 * thousand times a second so that it follows host time; while the CPU is
 * halted it follows host time directly.
 *
 * <p>Why not read the host clock directly: a host that deschedules the VM
 * thread for 50 ms would make 50 ms pass between two guest instructions.
 * Every guest clock (PIT, PM timer, TSC, RTC) would agree on the jump, but a
 * kernel that counts timer interrupts sees ticks lost, compares its clocks
 * and calls the TSC unstable, or misses a one-shot deadline it has just
 * programmed. Here such a jump becomes lag instead: guest time runs at most
 * {@link #MAX_CATCH_UP}x faster than the emulation's pace until it has caught
 * up, and gives up lag beyond {@link #MAX_LAG_NANOS} (the guest clock then
 * falls behind the wall clock, as after a pause). A halted CPU observes
 * nothing, so the lag is also paid off by jumping over idle time.
 *
 * <p>Owned by the VM thread; other threads may read {@link #nanos()}.
 */
public final class VirtualClock implements TimeSource {
    /** The guest pace before the first measurement: 100 million instructions a second. */
    private static final double INITIAL_NANOS_PER_INSTRUCTION = 10.0;
    /** Lag is paid off over about this much time. */
    private static final double CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final double MAX_CATCH_UP = 4.0;
    /** A guest ahead of the host slows down to at most half pace. */
    private static final double MIN_PACE = 0.5;
    private static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * The emulation's pace is measured over windows of this much busy host
     * time, descheduled stretches included (a VM thread that gets a quarter of
     * a host CPU runs a quarter as fast), and estimated as the median of the
     * last {@link #PACE_WINDOWS} windows, so one long stall moves it little.
     */
    private static final long PACE_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int PACE_WINDOWS = 5;

    private final LongSupplier hostNanos;
    /** Retired instructions of the processor; until one is attached guest time is host time. */
    private LongSupplier instructions;

    /** Host time at guest time zero, moved on by pauses and forgiven lag. */
    private long hostZero;
    private long anchorInstructions;
    private long anchorGuestNanos;
    /** Guest nanoseconds per retired instruction now. */
    private double nanosPerInstruction = INITIAL_NANOS_PER_INSTRUCTION;
    /** Host nanoseconds per retired instruction, smoothed: the emulation's own pace. */
    private double hostNanosPerInstruction = INITIAL_NANOS_PER_INSTRUCTION;
    private final double[] paceWindows = new double[PACE_WINDOWS];
    private int paceWindowCount;
    private long windowHostNanos;
    private long windowInstructions;
    private long lastSyncHost;
    private long lastSyncInstructions;
    /** Host time (since hostZero) at which the CPU went idle, or -1 while it runs. */
    private long idleSinceHost = -1;
    private long idleGuestStart;
    /** Guest time at which the VM was paused, or -1. */
    private long pausedGuestNanos = -1;
    private long pausedLag;

    public VirtualClock() {
        this(System::nanoTime);
    }

    /** A clock over a given host time source (tests drive it by hand). */
    public VirtualClock(LongSupplier hostNanos) {
        this.hostNanos = hostNanos;
        hostZero = hostNanos.getAsLong();
    }

    /** Where retired instructions are counted: the processor, once it exists. Guest time starts over from now. */
    public void countInstructionsOf(LongSupplier retiredInstructions) {
        long now = nanos();
        instructions = retiredInstructions;
        anchorInstructions = retiredInstructions.getAsLong();
        anchorGuestNanos = now;
        lastSyncInstructions = anchorInstructions;
        lastSyncHost = hostElapsed();
    }

    @Override
    public long nanos() {
        if (pausedGuestNanos >= 0) {
            return pausedGuestNanos;
        }
        if (instructions == null) {
            return hostElapsed();
        }
        if (idleSinceHost >= 0) {
            return idleGuestStart + Math.max(0, hostElapsed() - idleSinceHost);
        }
        long retired = instructions.getAsLong() - anchorInstructions;
        return anchorGuestNanos + (long) (Math.max(0, retired) * nanosPerInstruction);
    }

    private long hostElapsed() {
        return hostNanos.getAsLong() - hostZero;
    }

    /**
     * Called by the VM loop before it runs the CPU again: measures the
     * emulation's pace over the last stretch and sets the guest pace so that
     * guest time closes in on host time.
     */
    public void synchronize() {
        if (pausedGuestNanos >= 0 || instructions == null) {
            return;
        }
        long host = hostElapsed();
        long retired = instructions.getAsLong();
        long guest = nanos();
        long executed = retired - lastSyncInstructions;
        if (idleSinceHost >= 0) {
            idleSinceHost = -1;
        } else if (executed == 0) {
            // Nothing ran (a processor stopped at once): time passes as on the host.
            guest += Math.max(0, host - lastSyncHost);
        } else {
            learnPace(host - lastSyncHost, executed);
        }
        long lag = host - guest;
        if (lag > MAX_LAG_NANOS) {
            hostZero += lag;
            host -= lag;
            lag = 0;
        }
        nanosPerInstruction = hostNanosPerInstruction * Math.clamp(1 + lag / CATCH_UP_NANOS, MIN_PACE, MAX_CATCH_UP);
        anchorInstructions = retired;
        anchorGuestNanos = guest;
        lastSyncInstructions = retired;
        lastSyncHost = host;
    }

    private void learnPace(long hostNanosTaken, long executed) {
        windowHostNanos += hostNanosTaken;
        windowInstructions += executed;
        if (windowHostNanos < PACE_WINDOW_NANOS || windowInstructions == 0) {
            return;
        }
        paceWindows[paceWindowCount++ % PACE_WINDOWS] = (double) windowHostNanos / windowInstructions;
        windowHostNanos = 0;
        windowInstructions = 0;
        double[] recent = Arrays.copyOf(paceWindows, Math.min(paceWindowCount, PACE_WINDOWS));
        Arrays.sort(recent);
        hostNanosPerInstruction = recent[recent.length / 2];
    }

    /**
     * The CPU halted and nothing is due before {@code nextDeadline}: guest
     * time jumps ahead over the lag it owes (no instruction can observe the
     * jump, and no timer is skipped), then follows host time until
     * {@link #synchronize()}.
     */
    public void idleUntil(long nextDeadline) {
        if (pausedGuestNanos >= 0 || idleSinceHost >= 0 || instructions == null) {
            return;
        }
        long host = hostElapsed();
        long guest = nanos();
        learnPace(host - lastSyncHost, instructions.getAsLong() - lastSyncInstructions);
        long lag = host - guest;
        if (lag > 0 && nextDeadline > guest) {
            guest += Math.min(lag, nextDeadline - guest);
        }
        idleGuestStart = guest;
        idleSinceHost = host;
    }

    /** Guest instructions that fit before guest time reaches {@code deadline} at the current pace (at least 1). */
    public long instructionsUntil(long deadline) {
        double remaining = (double) deadline - nanos();
        if (remaining <= 0) {
            return 1;
        }
        return (long) Math.min(Long.MAX_VALUE / 2, remaining / nanosPerInstruction) + 1;
    }

    /** Guest nanoseconds per instruction at the current pace. */
    public double nanosPerInstruction() {
        return nanosPerInstruction;
    }

    /** Freezes guest time (the VM is paused). */
    public void pause() {
        if (pausedGuestNanos < 0) {
            long guest = nanos();
            pausedLag = hostElapsed() - guest;
            pausedGuestNanos = guest;
            idleSinceHost = -1;
        }
    }

    /** Lets guest time run again from where it stopped, owing what it owed before the pause. */
    public void resume() {
        if (pausedGuestNanos >= 0) {
            long guest = pausedGuestNanos;
            pausedGuestNanos = -1;
            hostZero = hostNanos.getAsLong() - (guest + pausedLag);
            if (instructions != null) {
                anchorGuestNanos = guest;
                anchorInstructions = instructions.getAsLong();
                lastSyncInstructions = anchorInstructions;
                lastSyncHost = hostElapsed();
            }
        }
    }

    public boolean isPaused() {
        return pausedGuestNanos >= 0;
    }
}
