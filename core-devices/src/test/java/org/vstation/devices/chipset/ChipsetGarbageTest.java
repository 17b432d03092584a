package org.vstation.devices.chipset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.firmware.FwCfg;
import org.vstation.devices.pci.PciBus;

/**
 * Issue 5, "done when" 4, for the chipset: garbage written to every I/O port and every
 * configuration register never throws out of a device; the chipset still answers afterwards.
 */
class ChipsetGarbageTest {
    private final IoPortBus io = new IoPortBus();
    private final PhysicalMemory memory = new PhysicalMemory(16 * 1024 * 1024);
    private final PciBus pci = new PciBus(io, memory);
    private final long[] nanos = {0};
    private final EventQueue events = new EventQueue(() -> nanos[0]);

    ChipsetGarbageTest() {
        I440fxHostBridge hostBridge = new I440fxHostBridge(memory);
        pci.attach(0, 0, hostBridge);
        Piix3IsaBridge piix3 = new Piix3IsaBridge(irq -> high -> { }, mask -> { });
        piix3.connect(pci, io);
        Piix4PowerManagement pm = new Piix4PowerManagement(io, events, high -> { });
        pm.connect(pci);
        new FwCfg(memory, 1).place(io);
    }

    @Test
    void garbageOnEveryPortAndConfigRegisterIsHarmless() {
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 3; round++) {
            for (int function = 0; function < 16; function++) {
                for (int offset = 0; offset < 256; offset += 4) {
                    io.write(0xCF8, 4, 0x8000_0000 | function << 8 | offset);
                    io.write(0xCFC, 4, random.nextInt());
                }
            }
            for (int port = 0; port < IoPortBus.PORT_COUNT; port++) {
                int size = 1 << random.nextInt(3);
                io.write(port, size, random.nextInt());
                io.read(port, size);
            }
            nanos[0] += 3_000_000_000L;
            events.runDue();
        }
        io.write(0xCF8, 4, 0x8000_0000);
        assertEquals(0x1237_8086, io.read(0xCFC, 4), "the host bridge still answers");
    }
}
