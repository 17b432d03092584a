package org.vstation.devices.clock;

import org.vstation.cpu.bus.TimeSource;

/**
 * Guest time: host monotonic time since power on, minus the time the VM
 * spent paused. Guest time follows host time whatever the emulation speed,
 * so the PIT and RTC interrupt at their programmed rates.
 */
public final class VirtualClock implements TimeSource {
    private long hostNanosAtZero;
    private long pausedAtHostNanos = -1;

    public VirtualClock() {
        hostNanosAtZero = System.nanoTime();
    }

    @Override
    public long nanos() {
        long host = pausedAtHostNanos >= 0 ? pausedAtHostNanos : System.nanoTime();
        return host - hostNanosAtZero;
    }

    /** Freezes guest time (the VM is paused). */
    public void pause() {
        if (pausedAtHostNanos < 0) {
            pausedAtHostNanos = System.nanoTime();
        }
    }

    /** Lets guest time run again from where it stopped. */
    public void resume() {
        if (pausedAtHostNanos >= 0) {
            hostNanosAtZero += System.nanoTime() - pausedAtHostNanos;
            pausedAtHostNanos = -1;
        }
    }

    public boolean isPaused() {
        return pausedAtHostNanos >= 0;
    }
}
