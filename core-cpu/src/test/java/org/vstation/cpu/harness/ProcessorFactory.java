package org.vstation.cpu.harness;

import org.vstation.cpu.Processor;
import org.vstation.cpu.X86Cpu;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;

/** How a harness gets its processor: the real X86Cpu, or a stand-in in the harness's own tests. */
@FunctionalInterface
public interface ProcessorFactory {
    ProcessorFactory X86_CPU = X86Cpu::new;

    Processor create(PhysicalMemory memory, IoBus io, InterruptController interrupts, TimeSource clock);
}
