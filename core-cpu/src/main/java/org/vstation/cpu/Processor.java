package org.vstation.cpu;

import java.util.function.Consumer;

/**
 * An x86 processor as the machine drives it: run a slice of guest code,
 * signal interrupts, reset. Everything here is called on the VM thread.
 */
public interface Processor {

    /** Why {@link #run} returned. */
    enum StopReason {
        /** The instruction budget ran out; call run again. */
        BUDGET_EXHAUSTED,
        /** HLT with nothing to wake it: the machine may sleep until the next timer or interrupt. */
        HALTED,
        /** Triple fault: the processor entered shutdown; a PC resets. */
        SHUTDOWN,
        /** {@link #requestStop()} was called. */
        STOP_REQUESTED
    }

    /** Power-on / RESET# state: real mode, CS:IP = F000:FFF0 with CS base 0xFFFF0000. */
    void reset();

    /**
     * Executes up to {@code instructionBudget} instructions (it may stop a few
     * instructions later, at a block boundary) and says why it stopped.
     * Guest faults are delivered to the guest; an internal emulator error is
     * thrown as {@link CpuInternalError} carrying CS:EIP and the mode.
     */
    StopReason run(long instructionBudget);

    /** Level of the INTR pin, as the interrupt controller drives it. */
    void setInterruptRequest(boolean asserted);

    /**
     * The chipset's A20 gate (8042 output port bit 1 OR port 92h bit 1): when
     * off, physical address bit 20 is forced to zero. Stand-ins without
     * memory translation (scripted test processors) may ignore it.
     */
    default void setA20Enabled(boolean enabled) {
    }

    /**
     * Where the processor's FERR# output goes: the chipset turns it into IRQ 13 (the PC's way of reporting x87
     * errors while CR0.NE = 0). Processors without an x87 never call it.
     */
    default void setFerrListener(Consumer<Boolean> listener) {
    }

    /** Latches a non-maskable interrupt. */
    void raiseNmi();

    /** Makes {@link #run} return at the next instruction boundary. */
    void requestStop();

    /** Instructions retired since power on. */
    long instructionCount();

    /** One line for error messages and logs: CS:EIP, mode, and the main registers. */
    String describeState();
}
