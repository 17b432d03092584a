package org.vstation.devices.irq;

/**
 * One interrupt request wire from a device to an interrupt controller. The
 * device drives its level; the controller decides what an edge or a level
 * means (edge/level mode is the controller's, as with the 8259 and ELCR).
 */
@FunctionalInterface
public interface InterruptLine {
    void setLevel(boolean high);

    default void raise() {
        setLevel(true);
    }

    default void lower() {
        setLevel(false);
    }

    /** A low-high-low pulse: an edge for edge-triggered inputs (ISA devices). */
    default void pulse() {
        setLevel(true);
        setLevel(false);
    }

    /** A line connected to nothing. */
    InterruptLine UNCONNECTED = high -> { };
}
