package org.vstation.cpu.harness;

import java.util.function.IntConsumer;

import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.PhysicalMemory;

/**
 * A bare machine for BIOS-style test guests: RAM, the guest image where a
 * PC's firmware sits (at the top of the 4 GiB space, its last 128 KiB also
 * at 0xE0000-0xFFFFF), the {@link TestIoBus} and the processor, which starts
 * at the reset vector. No PIC, timers or other devices: the guests poll.
 */
public final class BiosGuest {
    /** Same text as QemuRunner.END_MARKER: a line the guest prints when it is done. */
    public static final String END_MARKER = "VSTATION-END";
    private static final long SLICE = 100_000;
    private static final long BELOW_1M = 0x10_0000L;
    private static final long TOP_OF_4G = 0x1_0000_0000L;

    /** How a run ended (the same endings as QEMU's, plus the emulator's own). */
    public enum Ending { DEBUG_EXIT, END_MARKER, HALTED, SHUTDOWN, BUDGET }

    public record Result(String serial, Ending ending, int exitValue, String state) {}

    private final PhysicalMemory memory;
    private final TestIoBus io;
    private final Processor cpu;

    public BiosGuest(byte[] image, int ramBytes, ProcessorFactory factory) {
        this(image, ramBytes, factory, -1, value -> { });
    }

    /** Also routes writes to {@code hookPort} to {@code hook} (see {@link TestIoBus}). */
    public BiosGuest(byte[] image, int ramBytes, ProcessorFactory factory, int hookPort, IntConsumer hook) {
        this(image, ramBytes, factory, hookPort, hook, () -> 0xFF);
    }

    /** Also answers interrupt acknowledge cycles with {@code interrupts} (no PIC here: the test drives INTR). */
    public BiosGuest(byte[] image, int ramBytes, ProcessorFactory factory, int hookPort, IntConsumer hook,
                     InterruptController interrupts) {
        if (image.length % PhysicalMemory.PAGE_SIZE != 0 || image.length < 64 * 1024) {
            throw new IllegalArgumentException("a BIOS image is a multiple of 4 KiB and at least 64 KiB, got " + image.length);
        }
        memory = new PhysicalMemory(ramBytes);
        memory.mapDevice(TOP_OF_4G - image.length, image.length, new RomImage(image, 0));
        int mirrored = Math.min(image.length, 128 * 1024);
        memory.mapDevice(BELOW_1M - mirrored, mirrored, new RomImage(image, image.length - mirrored));
        io = new TestIoBus(hookPort, hook);
        long powerOn = System.nanoTime();
        cpu = factory.create(memory, io, interrupts, () -> System.nanoTime() - powerOn);
        cpu.reset();
    }

    public PhysicalMemory memory() {
        return memory;
    }

    public TestIoBus io() {
        return io;
    }

    public Processor cpu() {
        return cpu;
    }

    /**
     * Runs until the guest writes to isa-debug-exit, prints {@link #END_MARKER}
     * on a line of its own, halts, shuts down, or has run {@code maxInstructions}.
     * The serial text excludes the marker line.
     */
    public Result run(long maxInstructions) {
        long start = cpu.instructionCount();
        while (true) {
            Processor.StopReason reason = cpu.run(SLICE);
            String serial = io.serialText();
            int marker = markerLine(serial);
            if (marker >= 0) return new Result(serial.substring(0, marker), Ending.END_MARKER, 0, cpu.describeState());
            if (io.exitValue() != null) return new Result(serial, Ending.DEBUG_EXIT, io.exitValue(), cpu.describeState());
            if (reason == Processor.StopReason.HALTED) return new Result(serial, Ending.HALTED, 0, cpu.describeState());
            if (reason == Processor.StopReason.SHUTDOWN) return new Result(serial, Ending.SHUTDOWN, 0, cpu.describeState());
            if (cpu.instructionCount() - start >= maxInstructions) {
                return new Result(serial, Ending.BUDGET, 0, cpu.describeState());
            }
        }
    }

    private static int markerLine(String serial) {
        int at = serial.indexOf(END_MARKER + "\n");
        if (at < 0) at = serial.indexOf(END_MARKER + "\r\n");
        return at >= 0 && (at == 0 || serial.charAt(at - 1) == '\n') ? at : -1;
    }
}
