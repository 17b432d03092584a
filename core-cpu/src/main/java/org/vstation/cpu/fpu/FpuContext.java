package org.vstation.cpu.fpu;

/**
 * What the x87 unit needs from the integer CPU while it executes one escape
 * instruction (opcodes D8-DF). The CPU decodes the ModR/M byte, checks
 * CR0.EM/TS (#NM) and pending x87 errors (#MF / FERR#) itself, computes the
 * effective address, and then hands the instruction to the FPU with one of
 * these. Memory faults thrown by the read/write methods propagate unchanged,
 * so the instruction is restartable.
 */
public interface FpuContext {
    /** Reads 1, 2 or 4 bytes of the memory operand, at its effective address plus {@code offset}. */
    int readOperand(int offset, int size);

    /** Writes 1, 2 or 4 bytes of the memory operand, at its effective address plus {@code offset}. */
    void writeOperand(int offset, int size, int value);

    /** True for a 32-bit operand size (FSTENV/FSAVE/FLDENV/FRSTOR layouts). */
    boolean operandSize32();

    /** True in protected mode outside V86 (the environment layouts differ from real mode). */
    boolean protectedMode();

    /** EFLAGS, for FCMOVcc, and updated by FCOMI/FUCOMI (ZF, PF, CF; OF, SF, AF cleared). */
    int eflags();

    void setEflags(int eflags);

    /** Where the instruction began: CS selector and EIP (the FPU instruction pointer). */
    int instructionSelector();

    int instructionOffset();

    /** The memory operand's segment selector and offset (the FPU data pointer); 0 for register forms. */
    int operandSelector();

    int operandOffset();
}
