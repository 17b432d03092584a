package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;

/** The chipset block of the machine wiring, driven through the buses as SeaBIOS and Linux would. */
class MachineChipsetTest {
    private MachineTest.ScriptedProcessor cpu;

    private Machine newMachine() {
        byte[] bios = new byte[0x20000];
        bios[bios.length - 0x10000] = 0x5A; // first byte of the 0xF0000 segment
        return new Machine("chipset", new MachineConfig().memoryMegabytes(16).biosImage(bios),
                (memory, io, ic, clock) -> cpu = new MachineTest.ScriptedProcessor(memory, io));
    }

    private static int configRead(IoBus io, int device, int function, int offset, int size) {
        io.write(0xCF8, 4, 0x8000_0000 | device << 11 | function << 8 | (offset & 0xFC));
        return io.read(0xCFC + (offset & 3), size);
    }

    private static void configWrite(IoBus io, int device, int function, int offset, int size, int value) {
        io.write(0xCF8, 4, 0x8000_0000 | device << 11 | function << 8 | (offset & 0xFC));
        io.write(0xCFC + (offset & 3), size, value);
    }

    @Test
    void pciFunctionsAreWhereSeaBiosLooksForThem() {
        Machine machine = newMachine();
        IoBus io = machine.ioBus();
        assertEquals(0x1237_8086, configRead(io, 0, 0, 0, 4));
        assertEquals(0x1100_1AF4, configRead(io, 0, 0, 0x2C, 4));
        assertEquals(0x7000_8086, configRead(io, 1, 0, 0, 4));
        assertEquals(0x7113_8086, configRead(io, 1, 3, 0, 4));
        io.write(0x510, 2, 0);
        StringBuilder signature = new StringBuilder();
        for (int i = 0; i < 4; i++) signature.append((char) io.read(0x511, 1));
        assertEquals("QEMU", signature.toString());
    }

    @Test
    void pamShadowsTheBiosSegment() {
        Machine machine = newMachine();
        IoBus io = machine.ioBus();
        PhysicalMemory memory = machine.memory();
        configWrite(io, 0, 0, 0x59, 1, 0x30);
        memory.write8(0xF0000, 0x11);
        assertEquals(0x11, memory.read8(0xF0000));
        configWrite(io, 0, 0, 0x59, 1, 0x00);
        assertEquals(0x5A, memory.read8(0xF0000), "back to the ROM");
        assertEquals(0x5A, memory.read8(0xFFFF_0000L), "the flash at the top is not affected");
    }

    @Test
    void resetControlResetsTheMachineAndPam() throws Exception {
        Machine machine = newMachine();
        AtomicInteger slice = new AtomicInteger();
        cpu.script = p -> {
            switch (slice.getAndIncrement()) {
                case 0 -> {
                    configWrite(p.io, 0, 0, 0x59, 1, 0x30);
                    p.io.write(0xCF9, 1, 0x02);
                    p.io.write(0xCF9, 1, 0x06); // SeaBIOS's qemu_reboot
                }
                case 1 -> {
                    assertEquals(0, configRead(p.io, 0, 0, 0x59, 1), "PAM is back at its reset value");
                    machine.requestPowerOffFromVmThread();
                }
                default -> { }
            }
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(MachineState.POWERED_OFF, machine.state(), String.valueOf(machine.errorMessage()));
        assertEquals(2, cpu.resets, "power on, then the 0xCF9 reset");
    }

    @Test
    void acpiSoftOffPowersTheMachineDown() throws Exception {
        Machine machine = newMachine();
        cpu.script = p -> {
            configWrite(p.io, 1, 3, 0x40, 4, 0xB001);
            configWrite(p.io, 1, 3, 0x80, 1, 0x01);
            p.io.write(0xB2, 1, 0xF1);                 // ACPI enable through the SMI command port
            p.io.write(0xB004, 2, 0x0001 | 0x2000);    // SLP_TYP 0 (\_S5) with SLP_EN
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(MachineState.POWERED_OFF, machine.state());
    }
}
