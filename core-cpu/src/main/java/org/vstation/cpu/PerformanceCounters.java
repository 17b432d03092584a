package org.vstation.cpu;

import java.util.function.LongSupplier;

/**
 * The P6 family's two performance-monitoring counters: PerfEvtSel0/1 and PerfCtr0/1.
 * Follows Intel SDM vol. 3B, "Performance Monitoring (P6 Family Processor)" and vol. 4, table 2-2.
 *
 * <p>Linux's perf driver checks that these MSRs exist and hold what is written
 * (real P6 parts have them, so it prints "Broken PMU hardware" without them).
 * Two events count: CPU_CLK_UNHALTED (one per nanosecond of virtual time, the
 * TSC's rate) and INST_RETIRED; every other event counts nothing. The USR/OS
 * privilege filter is not applied: an enabled counter counts at every level.
 * No overflow interrupt is raised (this CPU has no local APIC to deliver it).
 */
final class PerformanceCounters {
    static final int MSR_PERFCTR0 = 0xC1, MSR_PERFCTR1 = 0xC2, MSR_PERFEVTSEL0 = 0x186, MSR_PERFEVTSEL1 = 0x187;

    static final int EVENT_CPU_CLK_UNHALTED = 0x79;
    static final int EVENT_INST_RETIRED = 0xC0;
    private static final long EVTSEL_USR = 1L << 16;
    private static final long EVTSEL_OS = 1L << 17;
    /** EN exists only in PerfEvtSel0 and enables both counters (SDM vol. 3B, P6 PerfEvtSel). */
    private static final long EVTSEL_EN = 1L << 22;
    private static final long COUNTER_MASK = (1L << 40) - 1;

    private final LongSupplier clocks;
    private final LongSupplier instructionsRetired;
    private final long[] eventSelect = new long[2];
    /** Each counter's value when its event source was last sampled. */
    private final long[] counterBase = new long[2];
    private final long[] sourceAtBase = new long[2];

    PerformanceCounters(LongSupplier clocks, LongSupplier instructionsRetired) {
        this.clocks = clocks;
        this.instructionsRetired = instructionsRetired;
    }

    static boolean handles(int msr) {
        return msr == MSR_PERFCTR0 || msr == MSR_PERFCTR1 || msr == MSR_PERFEVTSEL0 || msr == MSR_PERFEVTSEL1;
    }

    long read(int msr) {
        return switch (msr) {
            case MSR_PERFCTR0 -> counter(0);
            case MSR_PERFCTR1 -> counter(1);
            case MSR_PERFEVTSEL0 -> eventSelect[0];
            default -> eventSelect[1];
        };
    }

    void write(int msr, long value) {
        switch (msr) {
            // WRMSR loads bits 31:0 and sign-extends them through bit 39 (SDM vol. 3B, P6 PerfCtr).
            case MSR_PERFCTR0 -> setCounter(0, (int) value);
            case MSR_PERFCTR1 -> setCounter(1, (int) value);
            case MSR_PERFEVTSEL0, MSR_PERFEVTSEL1 -> {
                int index = msr - MSR_PERFEVTSEL0;
                long now0 = counter(0);
                long now1 = counter(1);
                eventSelect[index] = value & 0xFFFF_FFFFL;
                setCounter(0, now0);
                setCounter(1, now1);
            }
            default -> throw new IllegalArgumentException("not a performance-monitoring MSR: " + msr);
        }
    }

    void reset() {
        eventSelect[0] = eventSelect[1] = 0;
        setCounter(0, 0);
        setCounter(1, 0);
    }

    private long counter(int index) {
        return (counterBase[index] + source(index) - sourceAtBase[index]) & COUNTER_MASK;
    }

    private void setCounter(int index, long value) {
        counterBase[index] = value & COUNTER_MASK;
        sourceAtBase[index] = source(index);
    }

    /** What the counter's selected event counts, or a constant while it is disabled or counts nothing here. */
    private long source(int index) {
        long select = eventSelect[index];
        boolean enabled = (eventSelect[0] & EVTSEL_EN) != 0 && (select & (EVTSEL_USR | EVTSEL_OS)) != 0;
        if (!enabled) return 0;
        return switch ((int) (select & 0xFF)) {
            case EVENT_CPU_CLK_UNHALTED -> clocks.getAsLong();
            case EVENT_INST_RETIRED -> instructionsRetired.getAsLong();
            default -> 0;
        };
    }
}
