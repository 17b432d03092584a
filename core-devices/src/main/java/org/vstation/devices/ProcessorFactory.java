package org.vstation.devices;

import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;

/**
 * Makes the machine's processor from its buses. The VM runner passes
 * {@code X86Cpu::new}; machine tests can pass a scripted processor.
 */
@FunctionalInterface
public interface ProcessorFactory {
    Processor create(PhysicalMemory memory, IoBus io, InterruptController interruptController, TimeSource clock);
}
