package org.vstation.devices.irq;

/** Hands out the ISA interrupt lines IRQ 0-15 of the machine's interrupt controller. */
@FunctionalInterface
public interface InterruptRouter {
    InterruptLine line(int irq);
}
