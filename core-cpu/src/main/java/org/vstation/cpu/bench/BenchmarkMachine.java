package org.vstation.cpu.bench;

import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.MemoryMappedDevice;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;

/**
 * The smallest machine a workload image needs: RAM, the image as ROM at the
 * top of the 4 GiB space and at 0xF0000, and I/O ports that only listen for
 * the workload's start and exit signals. No interrupt sources, so nothing
 * but the workload costs time.
 */
final class BenchmarkMachine {
    private static final int RAM_BYTES = 16 * 1024 * 1024;
    private static final long SLICE = 1_000_000;

    /** Builds the processor under test (X86Cpu, or a stand-in in tests). */
    @FunctionalInterface
    interface ProcessorFactory {
        Processor create(PhysicalMemory memory, IoBus io, InterruptController interrupts, TimeSource clock);
    }

    private final Processor cpu;
    private boolean started;
    private boolean exited;

    BenchmarkMachine(byte[] image, ProcessorFactory factory) {
        PhysicalMemory memory = new PhysicalMemory(RAM_BYTES);
        Rom rom = new Rom(image);
        memory.mapDevice(0x1_0000_0000L - image.length, image.length, rom);
        memory.mapDevice(0x10_0000L - image.length, image.length, rom);
        long powerOn = System.nanoTime();
        cpu = factory.create(memory, new Ports(), () -> 0xFF, () -> System.nanoTime() - powerOn);
        cpu.reset();
    }

    Processor cpu() {
        return cpu;
    }

    /** Runs the boot code until the workload signals its start; false if it does not within the budget. */
    boolean runToStart(long maxInstructions) {
        long first = cpu.instructionCount();
        while (!started && !exited && cpu.instructionCount() - first < maxInstructions) {
            cpu.run(SLICE);
        }
        return started;
    }

    /**
     * Runs the workload for about {@code nanos} of this thread's processor
     * time; returns {instructions retired, processor nanoseconds}.
     */
    long[] runFor(long nanos) {
        long firstCount = cpu.instructionCount();
        long start = CpuTime.thread();
        long now = start;
        while (!exited && now - start < nanos) {
            cpu.run(SLICE);
            now = CpuTime.thread();
        }
        return new long[] {cpu.instructionCount() - firstCount, now - start};
    }

    boolean exited() {
        return exited;
    }

    /** Runs until the workload's exit signal or the budget. */
    void runToExit(long maxInstructions) {
        long first = cpu.instructionCount();
        while (!exited && cpu.instructionCount() - first < maxInstructions) {
            cpu.run(SLICE);
        }
    }

    private final class Ports implements IoBus {
        @Override
        public int read(int port, int size) {
            return size == 4 ? -1 : (1 << (size * 8)) - 1;
        }

        @Override
        public void write(int port, int size, int value) {
            if (port == Workload.START_PORT) {
                started = true;
                cpu.requestStop();
            } else if (port == Workload.EXIT_PORT) {
                exited = true;
                cpu.requestStop();
            }
        }
    }

    /** The workload image as flash ROM: stores are ignored. */
    private record Rom(byte[] image) implements MemoryMappedDevice {
        @Override
        public String name() {
            return "benchmark image";
        }

        @Override
        public int read(long offset, int size) {
            int value = 0;
            for (int i = 0; i < size; i++) value |= (image[(int) offset + i] & 0xFF) << (8 * i);
            return value;
        }

        @Override
        public void write(long offset, int size, int value) {
            // Flash ROM ignores plain stores.
        }
    }
}
