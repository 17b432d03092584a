package org.vstation.cpu.bus;

/**
 * The interrupt-acknowledge side of the interrupt controller. INTR itself is
 * pushed to the processor ({@link org.vstation.cpu.Processor#setInterruptRequest})
 * whenever the controller's output changes, so the CPU never polls a device.
 */
public interface InterruptController {
    /** Runs the INTA cycle: returns the vector (0-255) and marks the request in service. */
    int acknowledgeInterrupt();
}
