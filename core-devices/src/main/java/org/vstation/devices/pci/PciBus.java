package org.vstation.devices.pci;

import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.bus.IoPortBus;

/**
 * PCI bus 0 and the host side of configuration mechanism #1 (PCI Local Bus
 * Specification 3.0, 3.2.2.3.2): CONFIG_ADDRESS at 0xCF8 (dword accesses
 * only) and CONFIG_DATA at 0xCFC-0xCFF. It places each function's BAR
 * windows on the I/O and memory buses as the guest programs them, and wires
 * INTA#-INTD# to PIRQ A-D with the usual rotation by slot.
 */
public final class PciBus {
    public static final int CONFIG_ADDRESS_PORT = 0xCF8;
    public static final int CONFIG_DATA_PORT = 0xCFC;
    private static final int CONFIG_ENABLE = 1 << 31;
    private static final int SLOTS = 32;
    private static final int FUNCTIONS = 8;

    private final IoPortBus ioBus;
    private final PhysicalMemory memory;
    private final PciDevice[][] functions = new PciDevice[SLOTS][FUNCTIONS];
    private final int[] pirqAssertCount = new int[4];
    private PirqRouter pirqRouter = (pirq, high) -> { };
    private IoDevice byteAccessAtAddressPort;
    private int configAddress;

    public PciBus(IoPortBus ioBus, PhysicalMemory memory) {
        this.ioBus = ioBus;
        this.memory = memory;
        ioBus.place(IoDevice.of("PCI CONFIG_ADDRESS", this::readAddressPort, this::writeAddressPort),
                CONFIG_ADDRESS_PORT, 4);
        ioBus.place(IoDevice.of("PCI CONFIG_DATA", this::readData, this::writeData), CONFIG_DATA_PORT, 4);
    }

    /** Plugs a function into slot {@code device}, function {@code function}. */
    public void attach(int device, int function, PciDevice pciDevice) {
        if (functions[device][function] != null) {
            throw new IllegalStateException(String.format("PCI 00:%02x.%d is taken by %s; cannot add %s",
                    device, function, functions[device][function].name(), pciDevice.name()));
        }
        functions[device][function] = pciDevice;
        pciDevice.bus = this;
        if (function > 0 && functions[device][0] != null) {
            int header = functions[device][0].getConfig(PciDevice.HEADER_TYPE, 1);
            functions[device][0].putConfig(PciDevice.HEADER_TYPE, 1, header | 0x80);
        }
        updatePlacement(pciDevice);
    }

    public PciDevice function(int device, int function) {
        return functions[device][function];
    }

    /** Which slot a function sits in (for interrupt routing); -1 if not attached. */
    private int slotOf(PciDevice device) {
        for (int slot = 0; slot < SLOTS; slot++) {
            for (PciDevice f : functions[slot]) {
                if (f == device) {
                    return slot;
                }
            }
        }
        return -1;
    }

    public void setPirqRouter(PirqRouter router) {
        pirqRouter = router;
    }

    /**
     * Byte and word accesses to 0xCF8-0xCFB are not configuration cycles; on
     * the PIIX3, 0xCF9 is the reset control register. The chipset supplies it here.
     */
    public void setByteAccessAtAddressPort(IoDevice device) {
        byteAccessAtAddressPort = device;
    }

    // ---- configuration mechanism #1 -----------------------------------------

    private int readAddressPort(int offset, int size) {
        if (offset == 0 && size == 4) {
            return configAddress;
        }
        return byteAccessAtAddressPort != null ? byteAccessAtAddressPort.ioRead(offset, size) : -1;
    }

    private void writeAddressPort(int offset, int size, int value) {
        if (offset == 0 && size == 4) {
            configAddress = value & 0x80FF_FFFC;
        } else if (byteAccessAtAddressPort != null) {
            byteAccessAtAddressPort.ioWrite(offset, size, value);
        }
    }

    private PciDevice addressedFunction() {
        if ((configAddress & CONFIG_ENABLE) == 0 || ((configAddress >>> 16) & 0xFF) != 0) {
            return null;
        }
        return functions[(configAddress >>> 11) & 0x1F][(configAddress >>> 8) & 0x7];
    }

    private int readData(int offset, int size) {
        PciDevice device = addressedFunction();
        if (device == null) {
            return -1;
        }
        return device.configRead((configAddress & 0xFC) + offset, size);
    }

    private void writeData(int offset, int size, int value) {
        PciDevice device = addressedFunction();
        if (device != null) {
            device.configWrite((configAddress & 0xFC) + offset, size, value);
        }
    }

    // ---- BAR placement ------------------------------------------------------------

    void updatePlacement(PciDevice device) {
        for (int index = 0; index < device.bars.length; index++) {
            PciDevice.Bar bar = device.bars[index];
            if (bar == null) {
                continue;
            }
            long wanted = device.wantedPlacement(index);
            if (wanted == bar.placedAt) {
                continue;
            }
            unplace(bar);
            if (wanted >= 0 && tryPlace(bar, wanted)) {
                bar.placedAt = wanted;
            }
        }
    }

    private void unplace(PciDevice.Bar bar) {
        if (bar.placedAt < 0) {
            return;
        }
        if (bar.io) {
            ioBus.remove(bar.ioHandler, (int) bar.placedAt, bar.size);
        } else {
            memory.unmapDevice(bar.placedAt, bar.size);
        }
        bar.placedAt = -1;
    }

    /**
     * A guest may program a BAR over something else (firmware sizing BARs does
     * so transiently); such a window simply does not decode, as when two PCI
     * devices claim one address on real hardware the result is undefined.
     */
    private boolean tryPlace(PciDevice.Bar bar, long base) {
        try {
            if (bar.io) {
                if (base + bar.size > IoPortBus.PORT_COUNT) {
                    return false;
                }
                ioBus.place(bar.ioHandler, (int) base, bar.size);
            } else {
                if (base + bar.size > 1L << 32) {
                    return false;
                }
                memory.mapDevice(base, bar.size, bar.memoryHandler);
            }
            return true;
        } catch (IllegalStateException conflict) {
            return false;
        }
    }

    // ---- interrupts -------------------------------------------------------------------

    void interruptChanged(PciDevice device) {
        int pin = device.getConfig(PciDevice.INTERRUPT_PIN, 1);
        int slot = slotOf(device);
        if (pin == 0 || slot < 0) {
            return;
        }
        boolean level = device.interruptOutput();
        if (level == device.lastRoutedLevel) {
            return;
        }
        device.lastRoutedLevel = level;
        // The i440FX/PIIX3 board swizzle SeaBIOS's _PRT and PIRQ setup assume: slot 1 INTA# is PIRQ A,
        // slot 2 INTA# PIRQ B, slot 3 INTA# PIRQ C, ... (QEMU's pci_slot_get_pirq: slot - 1 + pin).
        int pirq = (slot - 1 + pin - 1) & 3;
        int before = pirqAssertCount[pirq];
        pirqAssertCount[pirq] += level ? 1 : -1;
        if ((before > 0) != (pirqAssertCount[pirq] > 0)) {
            pirqRouter.setPirqLevel(pirq, pirqAssertCount[pirq] > 0);
        }
    }
}
