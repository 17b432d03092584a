package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.cpu.X86Cpu;

/**
 * Issue 5, "done when" 4: a guest writing garbage to every port from 0x0000
 * to 0xFFFF neither crashes nor hangs the emulator (resource garbage-ports-guest.asm).
 */
class GarbagePortsGuestTest {
    @TempDir
    Path work;

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
        Machine machine = newMachine(assemble("-DALL_PORTS"));
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

    private byte[] assemble(String... defines) throws IOException, InterruptedException {
        String resource = "garbage-ports-guest.asm";
        Path source = work.resolve(resource);
        try (InputStream in = GarbagePortsGuestTest.class.getResourceAsStream(resource)) {
            Files.write(source, in.readAllBytes());
        }
        Path image = work.resolve("guest.bin");
        List<String> command = new ArrayList<>(List.of("nasm", "-f", "bin", "-o", image.toString()));
        command.addAll(List.of(defines));
        command.add(source.toString());
        Process nasm;
        try {
            nasm = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "nasm is not installed");
            throw e;
        }
        String output = new String(nasm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, nasm.waitFor(), "nasm: " + output);
        return Files.readAllBytes(image);
    }
}
