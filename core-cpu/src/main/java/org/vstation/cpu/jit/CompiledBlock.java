package org.vstation.cpu.jit;

import org.vstation.cpu.X86Cpu;

/**
 * A decoded block turned into JVM bytecode by {@link BlockCompiler}. It runs
 * the block's instructions from the first with the interpreter's semantics
 * and leaves EIP where the interpreter would.
 */
public interface CompiledBlock {
    /**
     * Runs the block entered at {@code entryEip}. Returns the number of
     * instructions completed; it returns early, as the interpreter's block
     * loop does, when an instruction changes the flow or raises an event. A
     * guest fault unwinds as the interpreter's exception with the faulting
     * instruction's EIP in {@code instructionEip}.
     */
    int run(X86Cpu cpu, int entryEip);
}
