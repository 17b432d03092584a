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
        return new Machine("garbage-ports", new MachineConfig().memoryMegabytes(16).biosImage(bios), X86Cpu::new);
    }

    private static byte[] assemble(String... defines) {
        return Nasm.assembleResource(GarbagePortsGuestTest.class, "garbage-ports-guest.asm", defines);
    }
}
