package org.vstation.cpu.decode;

/**
 * One pre-decoded instruction: the handler chosen at decode time plus its
 * operands, so executing it again never looks at the opcode bytes.
 * Decoded once per block and then only read.
 */
public final class Instruction {
    /** Handler, one of the {@link Op} constants. */
    public int op;
    /** The interpreter's specialised form of this instruction ({@link HotForm}), or {@link HotForm#GENERAL}. */
    public int hotForm;
    /** Opcode: 0x00-0xFF for the one-byte map, 0x100-0x1FF for the 0F map. */
    public int opcode;
    /** Operand size code: 0 = 8-bit, 1 = 16-bit, 2 = 32-bit. */
    public int size;
    /** 32-bit address size (after the 67 prefix). */
    public boolean addressSize32;
    /** 32-bit operand size (after the 66 prefix), independent of a byte-sized form. */
    public boolean operandSize32;
    /** Segment register index of the memory operand (override or default). */
    public int segment;
    /** True when a segment-override prefix was present. */
    public boolean segmentOverride;
    public boolean hasModrm;
    public int modrm;
    public int mod;
    public int reg;
    public int rm;
    /** Memory operand: base and index register numbers or -1, scale shift and displacement. */
    public int base = -1;
    public int index = -1;
    public int scale;
    public int displacement;
    public int immediate;
    public int immediate2;
    /** 0, 0xF2 (REPNE) or 0xF3 (REP/REPE). */
    public int repeat;
    public boolean lock;
    /** Control flow, CS, the mode or IF may change: the decoded block ends here. */
    public boolean endsBlock;
    /** Total length in bytes, prefixes included. */
    public int length;
}
