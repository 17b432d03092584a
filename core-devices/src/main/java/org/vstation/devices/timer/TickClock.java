package org.vstation.devices.timer;

/**
 * Converts between virtual nanoseconds and ticks of a fixed-frequency clock
 * without drift or overflow: tick n starts at the first nanosecond whose
 * floor(ns * hz / 1e9) reaches n. Splitting at whole seconds keeps the
 * products below 2^63 for any run time.
 */
final class TickClock {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long hz;

    TickClock(long hz) {
        this.hz = hz;
    }

    long ticksAt(long nanos) {
        long seconds = Math.floorDiv(nanos, NANOS_PER_SECOND);
        long rest = Math.floorMod(nanos, NANOS_PER_SECOND);
        return seconds * hz + rest * hz / NANOS_PER_SECOND;
    }

    long nanosOfTick(long tick) {
        long seconds = Math.floorDiv(tick, hz);
        long rest = Math.floorMod(tick, hz);
        return seconds * NANOS_PER_SECOND + (rest * NANOS_PER_SECOND + hz - 1) / hz;
    }
}
