package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.X86Cpu;
import org.vstation.fixtures.nasm.Nasm;

/**
 * Issue 5, "done when" 4: a guest writing garbage to every port from 0x0000
 * to 0xFFFF neither crashes nor hangs the emulator (resource garbage-ports-guest.asm).
 * The guest first places the PCI functions' I/O ranges as firmware does, so the
 * garbage reaches the IDE bus master, the RTL8139 and the PIIX4 power management too.
 */
class GarbagePortsGuestTest {
    @Test
    void guestSurvivesGarbageOnEveryPortThatDoesNotResetOrRemapIt() throws Exception {
        Machine machine = newMachine(assemble());
        StringBuffer console = new StringBuffer();
        CountDownLatch sweepDone = new CountDownLatch(1);
        machine.addDebugConsoleListener(b -> {
            console.append((char) b);
            if (b == '\n' && console.indexOf("SURVIVED 1") >= 0) sweepDone.countDown();
        });
        machine.start();
        try {
            assertTrue(sweepDone.await(60, TimeUnit.SECONDS),
                    "no complete sweep; state " + machine.state() + " " + machine.errorMessage());
            assertEquals(MachineState.RUNNING, machine.state(), String.valueOf(machine.errorMessage()));
            // The sweep passed over the PCI functions' registers: IDE bus master (00:01.1 BAR4), RTL8139
            // (00:03.0 BAR0) and the PIIX4 PM block (00:01.3 PMBA), each read back where the guest put it.
            for (String placed : List.of("BAR 80000920 0000c001", "BAR 80001810 0000c101", "BAR 80000b40 0000b001")) {
                assertTrue(console.indexOf(placed + "\n") >= 0, placed + " missing from:\n" + console);
            }
        } finally {
            machine.powerOff();
            assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS), "power off must still work");
        }
    }

    @Test
    void garbageOnEveryPortIncludingResetsNeverStopsTheEmulator() throws Exception {
        Machine machine = newMachine(assemble("ALL_PORTS"));
        List<MachineState> states = new ArrayList<>();
        machine.addStateListener(states::add);
        machine.start();
        boolean ended = machine.awaitTermination(3, TimeUnit.SECONDS);
        assertNotEquals(MachineState.ERROR, machine.state(), String.valueOf(machine.errorMessage()));
        if (!ended) {
            machine.powerOff();
            assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS), "power off must still work");
        }
        assertEquals(MachineState.POWERED_OFF, machine.state(), "states " + states);
    }

    private static Machine newMachine(byte[] bios) {
        return new Machine("garbage-ports", new MachineConfig().memoryMegabytes(16).biosImage(bios)
                .nicMac(new byte[] {0x02, 0x56, 0x53, 0x00, 0x00, 0x01}), X86Cpu::new);
    }

    private static byte[] assemble(String... defines) {
        return Nasm.assembleResource(GarbagePortsGuestTest.class, "garbage-ports-guest.asm", defines);
    }
}
