package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.vga.BochsDispi;
import org.vstation.devices.vga.StandardModes;
import org.vstation.devices.vga.StdVga;

/** The VGA as the machine wires it: PCI slot, fixed ports and window, ROM, and screenshots from the VM thread. */
class MachineDisplayTest {
    private MachineTest.ScriptedProcessor cpu;

    private Machine newMachine() {
        byte[] bios = new byte[0x20000];
        byte[] vgaBios = new byte[0x9000];
        vgaBios[0] = 0x55;
        vgaBios[1] = (byte) 0xAA;
        return new Machine("display", new MachineConfig().memoryMegabytes(4).biosImage(bios).vgaBiosImage(vgaBios),
                (memory, io, ic, clock) -> cpu = new MachineTest.ScriptedProcessor(memory, io));
    }

    @Test
    void vgaSitsAtPciSlotTwoWithItsLegacyPortsAndWindow() {
        Machine machine = newMachine();
        var io = machine.ioBus();
        io.write(0xCF8, 4, 0x8000_0000 | Machine.VGA_PCI_SLOT << 11);
        assertEquals(0x1111_1234, io.read(0xCFC, 4));
        io.write(StdVga.DISPI_PORT_BASE, 2, BochsDispi.INDEX_ID);
        assertEquals(BochsDispi.ID5, io.read(StdVga.DISPI_PORT_BASE + 1, 2));
        StandardModes.program(io, StandardModes.MODE_03H);
        machine.memory().write16(0xB8000, 0x0741);
        assertEquals(0x0741, machine.memory().read16(0xB8000), "text memory through the window");
        io.write(0xCF8, 4, 0x8000_0000 | Machine.VGA_PCI_SLOT << 11 | 0x30);
        io.write(0xCFC, 4, -1);
        assertEquals(0xFFFF_0000, io.read(0xCFC, 4) & 0xFFFF_F800, "a 64 KiB expansion ROM holds the 36 KiB VGA BIOS");
    }

    private static int argbOf(int[] dac) {
        int rgb = 0;
        for (int component : dac) {
            rgb = rgb << 8 | component << 2 | (component & 1) * 3;
        }
        return rgb;
    }

    @Test
    void captureScreenRendersOnTheVmThread() throws Exception {
        Machine machine = newMachine();
        machine.start();
        try {
            machine.post(() -> {
                StandardModes.program(cpu.io, StandardModes.MODE_13H);
                cpu.memory.write8(0xA0000 + 320 + 1, 0x0C);
            });
            Framebuffer screen = machine.captureScreen().get(10, TimeUnit.SECONDS);
            assertEquals(640, screen.width());
            assertEquals(400, screen.height());
            assertEquals(0xFF000000 | argbOf(StandardModes.egaColor(0x0C)), screen.pixel(2, 2));
            assertEquals(0xFF000000, screen.pixel(0, 0));
        } finally {
            machine.powerOff();
            assertTrue(machine.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
