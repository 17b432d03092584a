package org.vstation.cpu.bus;

/** The machine's virtual clock, in nanoseconds since power on; RDTSC is derived from it. */
@FunctionalInterface
public interface TimeSource {
    long nanos();
}
