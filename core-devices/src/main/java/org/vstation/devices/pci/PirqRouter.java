package org.vstation.devices.pci;

/**
 * The chipset's PCI interrupt router (PIIX3 PIRQ A-D): receives the combined
 * level of each PIRQ wire and steers it to an ISA IRQ.
 */
@FunctionalInterface
public interface PirqRouter {
    void setPirqLevel(int pirq, boolean high);
}
