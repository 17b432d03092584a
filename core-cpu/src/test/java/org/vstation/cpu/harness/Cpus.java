package org.vstation.cpu.harness;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

import org.junit.jupiter.api.Assumptions;
import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;

/**
 * Builds the processor under test, {@code org.vstation.cpu.X86Cpu}, through
 * its public constructor. Found by name, so this harness builds and its own
 * tests run while the interpreter is still on its way to main; tests that
 * need it are aborted (not failed) until it is there.
 */
public final class Cpus {
    private static final String X86_CPU = "org.vstation.cpu.X86Cpu";

    private Cpus() {
    }

    public static boolean x86CpuPresent() {
        try {
            Class.forName(X86_CPU);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    public static Processor x86Cpu(PhysicalMemory memory, IoBus io, InterruptController interrupts, TimeSource clock) {
        Assumptions.assumeTrue(x86CpuPresent(), X86_CPU + " has not landed on this branch yet");
        try {
            Constructor<?> constructor = Class.forName(X86_CPU)
                    .getConstructor(PhysicalMemory.class, IoBus.class, InterruptController.class, TimeSource.class);
            return (Processor) constructor.newInstance(memory, io, interrupts, clock);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("X86Cpu's constructor failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("X86Cpu has no public (PhysicalMemory, IoBus, InterruptController, TimeSource) constructor", e);
        }
    }
}
