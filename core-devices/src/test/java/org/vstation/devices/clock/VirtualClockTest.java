package org.vstation.devices.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The paced guest clock, driven by a hand-moved host clock and instruction counter. */
class VirtualClockTest {
    private static final long MS = 1_000_000;

    private long host;
    private long retired;
    private VirtualClock clock;

    @BeforeEach
    void attachProcessor() {
        clock = new VirtualClock(() -> host);
        clock.countInstructionsOf(() -> retired);
    }

    /** The VM loop: runs {@code instructions} at {@code nanosEach} host nanoseconds each, synchronising every 20,000. */
    private void run(long instructions, double nanosEach) {
        for (long done = 0; done < instructions; done += 20_000) {
            long slice = Math.min(20_000, instructions - done);
            retired += slice;
            host += (long) (slice * nanosEach);
            clock.synchronize();
        }
    }

    @Test
    void guestTimeFollowsHostTimeAtTheEmulationsPace() {
        run(200_000_000, 25); // 40 MIPS for 5 s of host time
        long lag = host - clock.nanos();
        assertTrue(Math.abs(lag) < 5 * MS, "guest time tracks host time: lag " + lag);
    }

    @Test
    void aDescheduledVmThreadBecomesLagNotAJump() {
        run(40_000_000, 25);
        long before = clock.nanos();
        retired += 1000;
        host += 50 * MS; // the host took the CPU away for 50 ms during 1000 instructions
        long during = clock.nanos() - before;
        assertTrue(during <= 1000 * 25 * 4, "1000 instructions never look longer than 4x their pace: " + during);
        clock.synchronize();
        long lagAfterStall = host - clock.nanos();
        assertTrue(lagAfterStall > 45 * MS, "the stall is owed: " + lagAfterStall);

        long previous = clock.nanos();
        for (int i = 0; i < 100; i++) {
            run(20_000, 25);
            long now = clock.nanos();
            assertTrue(now > previous, "monotonic");
            assertTrue(now - previous <= 20_000 * 25 * 4 + 1, "catching up at most 4x: " + (now - previous));
            previous = now;
        }
        run(40_000_000, 25);
        assertTrue(Math.abs(host - clock.nanos()) < 2 * MS, "the lag is paid off: " + (host - clock.nanos()));
    }

    @Test
    void aVmThreadWithAQuarterOfAHostCpuStillKeepsTime() {
        // The host scheduler runs the VM thread for 3 ms, then others for 9 ms, over and over.
        long longestStep = 0;
        for (int period = 0; period < 500; period++) {
            for (int slice = 0; slice < 6; slice++) {
                long before = clock.nanos();
                retired += 20_000;
                host += 500_000 + (slice == 5 ? 9 * MS : 0);
                longestStep = Math.max(longestStep, clock.nanos() - before);
                clock.synchronize();
            }
        }
        assertTrue(Math.abs(host - clock.nanos()) < 20 * MS, "guest time keeps up with 6 s of host time: lag "
                + (host - clock.nanos()));
        assertTrue(longestStep < 9 * MS, "no 9 ms jump between two synchronisations: " + longestStep);
    }

    @Test
    void lagBeyondOneSecondIsForgiven() {
        run(40_000_000, 25);
        retired += 1000;
        host += 5_000 * MS;
        clock.synchronize();
        long guest = clock.nanos();
        assertTrue(guest < 1_100 * MS, "no five-second jump: " + guest);
        run(40_000_000, 25);
        assertTrue(Math.abs(host - 5_000 * MS - clock.nanos()) < 5 * MS,
                "guest time now runs five seconds behind the host, at the host's pace: " + (host - 5_000 * MS - clock.nanos()));
    }

    @Test
    void idleTimeFollowsTheHostAndPaysOffLagUpToTheNextDeadline() {
        run(40_000_000, 25);
        retired += 1000;
        host += 30 * MS;
        clock.synchronize();
        long guest = clock.nanos();
        long lag = host - guest;

        long deadline = guest + 10 * MS;
        clock.idleUntil(deadline);
        assertEquals(deadline, clock.nanos(), "the jump stops at the next deadline, no timer is skipped");
        host += 3 * MS;
        assertEquals(deadline + 3 * MS, clock.nanos(), "a halted CPU sees host time pass");
        clock.synchronize();
        assertEquals(deadline + 3 * MS, clock.nanos());
        assertEquals(lag - 10 * MS, host - clock.nanos(), "10 ms of the lag are paid off");

        clock.idleUntil(Long.MAX_VALUE);
        assertEquals(host, clock.nanos(), "with nothing due, the whole lag is skipped");
    }

    @Test
    void pausedGuestTimeStandsStillAndOwesWhatItOwedBefore() {
        run(4_000_000, 25);
        retired += 1000;
        host += 30 * MS;
        clock.synchronize();
        clock.pause();
        long frozen = clock.nanos();
        host += 10_000 * MS;
        assertEquals(frozen, clock.nanos());
        clock.resume();
        assertEquals(frozen, clock.nanos());
        run(40_000_000, 25);
        assertTrue(Math.abs(host - 10_000 * MS - clock.nanos()) < 2 * MS,
                "the pause is not owed, the 30 ms from before it are paid off: " + (host - 10_000 * MS - clock.nanos()));
    }

    @Test
    void withoutAProcessorGuestTimeIsHostTime() {
        VirtualClock bare = new VirtualClock(() -> host);
        host += 7 * MS;
        assertEquals(7 * MS, bare.nanos());
        bare.pause();
        host += 7 * MS;
        assertEquals(7 * MS, bare.nanos());
        bare.resume();
        host += 1 * MS;
        assertEquals(8 * MS, bare.nanos());
    }

    @Test
    void instructionBudgetReachesTheDeadline() {
        run(4_000_000, 25);
        long deadline = clock.nanos() + MS;
        long budget = clock.instructionsUntil(deadline);
        retired += budget;
        assertTrue(clock.nanos() >= deadline, "running the budget reaches the deadline");
        retired -= 2;
        assertTrue(clock.nanos() < deadline, "and not much more than that");
    }
}
