package org.vstation.devices.chipset;

/**
 * The edge/level selection of the 8259 pair, one bit per IRQ 0-15 (1 = level
 * triggered). The PIIX3's ELCR registers at 0x4D0/0x4D1 program it.
 */
@FunctionalInterface
public interface TriggerModeControl {
    void setLevelTriggeredIrqs(int irqMask);
}
