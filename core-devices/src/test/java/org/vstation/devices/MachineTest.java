package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.CpuInternalError;
import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.timer.Mc146818Rtc.BootDevice;

/** The machine loop and wiring, driven by a scripted stand-in for the CPU. */
class MachineTest {

    /** Runs a script against the buses on each slice, like a guest would. */
    static final class ScriptedProcessor implements Processor {
        final PhysicalMemory memory;
        final IoBus io;
        Consumer<ScriptedProcessor> script = p -> { };
        int resets;
        long slices;
        boolean interruptRequested;
        boolean a20Enabled;
        InterruptController interruptController;
        StopReason nextReason = StopReason.BUDGET_EXHAUSTED;

        ScriptedProcessor(PhysicalMemory memory, IoBus io) {
            this.memory = memory;
            this.io = io;
        }

        @Override public void reset() { resets++; }
        @Override public StopReason run(long budget) {
            slices++;
            script.accept(this);
            StopReason reason = nextReason;
            nextReason = StopReason.BUDGET_EXHAUSTED;
            return reason;
        }
        @Override public void setInterruptRequest(boolean asserted) { interruptRequested = asserted; }
        @Override public void setA20Enabled(boolean enabled) { a20Enabled = enabled; }
        @Override public void raiseNmi() { }
        @Override public void requestStop() { }
        @Override public long instructionCount() { return slices; }
        @Override public String describeState() { return "CS:EIP=F000:FFF0 real mode"; }
    }

    private ScriptedProcessor cpu;

    private Machine newMachine(byte[] bios) {
        return new Machine("test", new MachineConfig().memoryMegabytes(4).biosImage(bios),
                (memory, io, ic, clock) -> {
                    cpu = new ScriptedProcessor(memory, io);
                    cpu.interruptController = ic;
                    return cpu;
                });
    }

    private static byte[] biosWithMarkers() {
        byte[] bios = new byte[0x20000];
        bios[0] = 0x11;                     // first byte of the flash
        bios[bios.length - 16] = (byte) 0xEA; // the reset vector's JMP FAR
        return bios;
    }

    @Test
    void biosIsAtTheTopOfTheAddressSpaceAndMirroredBelowOneMegabyte() {
        Machine machine = newMachine(biosWithMarkers());
        PhysicalMemory memory = machine.memory();
        assertEquals(0xEA, memory.read8(0xFFFF_FFF0L));
        assertEquals(0xEA, memory.read8(0xFFFF0));
        assertEquals(0x11, memory.read8(0xFFFE_0000L));
        assertEquals(0x11, memory.read8(0xE0000));
        memory.write8(0xFFFF0, 0x00);
        assertEquals(0xEA, memory.read8(0xFFFF0), "ROM ignores writes");
        assertEquals(1, cpu.resets, "the processor is reset at power on");
    }

    @Test
    void serialOutputReachesListenersAndPowerOffEndsTheThread() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        StringBuilder serial = new StringBuilder();
        machine.addSerialListener(b -> serial.append((char) b));
        AtomicInteger written = new AtomicInteger();
        cpu.script = p -> {
            if (written.getAndIncrement() == 0) {
                for (char c : "hello".toCharArray()) p.io.write(Machine.COM1_PORT, 1, c);
                machine.requestPowerOffFromVmThread();
            }
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals("hello", serial.toString());
        assertEquals(MachineState.POWERED_OFF, machine.state());
    }

    @Test
    void debugConsoleCollectsSeaBiosLog() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        StringBuilder log = new StringBuilder();
        machine.addDebugConsoleListener(b -> log.append((char) b));
        cpu.script = p -> {
            assertEquals(0xE9, p.io.read(0x402, 1), "presence check");
            for (char c : "SeaBIOS".toCharArray()) p.io.write(0x402, 1, c);
            p.io.write(0x80, 1, 0x42);
            machine.requestPowerOffFromVmThread();
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals("SeaBIOS", log.toString());
        assertEquals(0x42, machine.lastPostCode());
    }

    @Test
    void internalErrorStopsOnlyThisMachineWithTheCpuState() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        cpu.script = p -> {
            throw new CpuInternalError("decoder bug at " + p.describeState());
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(MachineState.ERROR, machine.state());
        assertTrue(machine.errorMessage().contains("F000:FFF0"), machine.errorMessage());
    }

    @Test
    void deviceBugIsReportedAsEmulatorErrorNotThrownToTheHost() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        cpu.script = p -> {
            throw new ArrayIndexOutOfBoundsException("device table");
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(MachineState.ERROR, machine.state());
        assertTrue(machine.errorMessage().contains("device table"), machine.errorMessage());
    }

    @Test
    void tripleFaultResetsTheMachineAndItsDevices() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        AtomicInteger deviceResets = new AtomicInteger();
        machine.onReset(deviceResets::incrementAndGet);
        cpu.script = p -> {
            if (p.slices == 1) {
                p.nextReason = Processor.StopReason.SHUTDOWN;
            } else {
                machine.requestPowerOffFromVmThread();
            }
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(2, cpu.resets, "power-on reset plus the reset after shutdown");
        assertEquals(1, deviceResets.get());
    }

    @Test
    void postedTasksRunOnTheVmThreadAndSerialInputArrives() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        StringBuilder echoed = new StringBuilder();
        machine.addSerialListener(b -> echoed.append((char) b));
        cpu.script = p -> {
            if ((p.io.read(Machine.COM1_PORT + 5, 1) & 1) != 0) { // LSR data ready
                int c = p.io.read(Machine.COM1_PORT, 1);
                p.io.write(Machine.COM1_PORT, 1, c);
                if (c == '!') machine.requestPowerOffFromVmThread();
            }
        };
        machine.start();
        machine.sendToSerial("hi!".getBytes());
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals("hi!", echoed.toString());
    }

    @Test
    void platformDevicesInterruptThroughThePicToTheCpu() {
        Machine machine = newMachine(biosWithMarkers());
        IoBus io = machine.ioBus();
        int[] init = {0x11, 0x08, 0x04, 0x01};
        for (int i = 0; i < init.length; i++) io.write(i == 0 ? 0x20 : 0x21, 1, init[i]);
        io.write(0x64, 1, 0x60); // 8042 command byte: keyboard interrupt, translation
        io.write(0x60, 1, 0x41);
        io.write(0x64, 1, 0xAA); // self test: the answer raises IRQ 1
        assertTrue(cpu.interruptRequested);
        assertEquals(0x09, cpu.interruptController.acknowledgeInterrupt());
        assertEquals(0x55, io.read(0x60, 1));
    }

    @Test
    void cmosHoldsTheMemorySizeAndTheKeyboardControllerGatesA20() {
        Machine machine = newMachine(biosWithMarkers());
        IoBus io = machine.ioBus();
        io.write(0x70, 1, 0x30);
        int low = io.read(0x71, 1);
        io.write(0x70, 1, 0x31);
        assertEquals(3 * 1024, low | io.read(0x71, 1) << 8, "4 MiB machine: 3 MiB above 1 MiB");
        assertTrue(cpu.a20Enabled);
        io.write(0x64, 1, 0xD1);
        io.write(0x60, 1, 0xDD);
        assertEquals(false, cpu.a20Enabled);
    }

    private static int cmosByte(IoBus io, int register) {
        io.write(0x70, 1, register);
        return io.read(0x71, 1);
    }

    @Test
    void bootOrderReachesTheCmosAsQemuWritesIt() {
        // Observed with an option ROM reading CMOS under qemu-system-i386 -M pc: no -boot gives 0x3D=0x12,
        // 0x38=0x30 ("cad"); -boot order=dc gives 0x23 and 0x00; -boot order=cdn gives 0x32 and 0x40.
        IoBus io = newMachine(biosWithMarkers()).ioBus();
        assertEquals(0x12, cmosByte(io, 0x3D));
        assertEquals(0x30, cmosByte(io, 0x38));
        Machine machine = new Machine("test", new MachineConfig().memoryMegabytes(4).biosImage(biosWithMarkers())
                .bootOrder(List.of(BootDevice.CD_ROM, BootDevice.HARD_DISK)), (memory, ports, ic, clock) ->
                new ScriptedProcessor(memory, ports));
        assertEquals(0x23, cmosByte(machine.ioBus(), 0x3D));
        assertEquals(0x00, cmosByte(machine.ioBus(), 0x38));
        machine = new Machine("test", new MachineConfig().memoryMegabytes(4).biosImage(biosWithMarkers())
                .bootOrder(List.of(BootDevice.HARD_DISK, BootDevice.CD_ROM, BootDevice.NETWORK)),
                (memory, ports, ic, clock) -> new ScriptedProcessor(memory, ports));
        assertEquals(0x32, cmosByte(machine.ioBus(), 0x3D));
        assertEquals(0x40, cmosByte(machine.ioBus(), 0x38));
    }

    @Test
    void bootOrdersTheCmosCannotHoldAreRefused() {
        MachineConfig config = new MachineConfig();
        assertThrows(IllegalArgumentException.class, () -> config.bootOrder(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> config.bootOrder(List.of(BootDevice.CD_ROM, BootDevice.CD_ROM)));
        assertThrows(IllegalArgumentException.class, () -> config.bootOrder(List.of(BootDevice.values())));
    }

    @Test
    void theVmsUuidReachesFwCfg() {
        java.util.UUID uuid = java.util.UUID.fromString("6454900d-04d6-4000-b96b-87e89803351d");
        Machine machine = new Machine("test", new MachineConfig().memoryMegabytes(4).biosImage(biosWithMarkers())
                .uuid(uuid), (memory, ports, ic, clock) -> new ScriptedProcessor(memory, ports));
        IoBus io = machine.ioBus();
        io.write(0x510, 2, 0x02); // FW_CFG_UUID
        byte[] read = new byte[16];
        for (int i = 0; i < 16; i++) {
            read[i] = (byte) io.read(0x511, 1);
        }
        assertEquals("6454900d04d64000b96b87e89803351d", java.util.HexFormat.of().formatHex(read));
    }

    @Test
    void keyboardControllerResetPulseResetsTheMachine() throws Exception {
        Machine machine = newMachine(biosWithMarkers());
        cpu.script = p -> {
            if (p.slices == 1) {
                p.io.write(0x64, 1, 0xFE);
            } else {
                machine.requestPowerOffFromVmThread();
            }
        };
        machine.start();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(2, cpu.resets, "power-on reset plus the 8042's reset pulse");
    }

    @Test
    void garbageWrittenToEveryPortNeverThrows() {
        Machine machine = newMachine(biosWithMarkers());
        IoBus io = machine.ioBus();
        Random random = new Random(5);
        for (int round = 0; round < 4; round++) {
            for (int port = 0; port < 0x10000; port++) {
                io.write(port, 1 << random.nextInt(3), random.nextInt());
                io.read(port, 1 << random.nextInt(3));
            }
            machine.events().runDue();
        }
    }

    @Test
    void badBiosImagesAreRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MachineConfig().biosImage(new byte[1000]));
        assertTrue(e.getMessage().contains("64 KiB"), e.getMessage());
    }
}
