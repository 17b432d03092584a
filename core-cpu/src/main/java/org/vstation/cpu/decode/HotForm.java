package org.vstation.cpu.decode;

/**
 * The specialised forms of the instructions guest code runs most (32-bit
 * register and simple memory operands, near branches, the stack), chosen at
 * decode time next to {@link Instruction#op}. The interpreter's first
 * dispatch switches on these, so the common case never looks at the operand
 * size or the ModR/M mode again; every other instruction is {@link #GENERAL}
 * and goes through the dispatch on {@code op}. A form only narrows which
 * operands occur: the semantics stay those of its {@code op}.
 */
public final class HotForm {
    private HotForm() {}

    public static final int GENERAL = 0;
    /** ALU op r/m32, r32 and ALU op r32, r/m32 with both operands registers (destination rm or reg). */
    public static final int ALU32_RM_REG = 1, ALU32_REG_RM = 2;
    /** ALU op r32, imm (81 /n, 83 /n with a register). */
    public static final int ALU32_RM_IMM = 3;
    /** ALU op r32, m32. */
    public static final int ALU32_REG_MEM = 4;
    /** TEST r32, r32. */
    public static final int TEST32_RM_REG = 5;
    public static final int INC32_REG = 6, DEC32_REG = 7;
    /** MOV r32, r32 (89 and 8B with a register operand: destination rm or reg). */
    public static final int MOV32_RM_REG = 8, MOV32_REG_RM = 9;
    /** MOV r32, m32 and MOV m32, r32. */
    public static final int MOV32_LOAD = 10, MOV32_STORE = 11;
    /** MOV r32, imm32 (B8+r). */
    public static final int MOV32_REG_IMM = 12;
    /** LEA r32, m with a 32-bit address. */
    public static final int LEA32 = 13;
    public static final int JCC = 14, JMP_REL = 15;
    public static final int PUSH32_REG = 16, POP32_REG = 17;
    public static final int CALL32_REL = 18, RET32_NEAR = 19;

    /** The hot form of a decoded instruction, or {@link #GENERAL}. */
    public static int of(Instruction in) {
        boolean dword = in.size == 2;
        boolean register = in.mod == 3;
        return switch (in.op) {
            case Op.ALU_EG -> dword && register ? ALU32_RM_REG : GENERAL;
            case Op.ALU_GE -> !dword ? GENERAL : register ? ALU32_REG_RM : ALU32_REG_MEM;
            case Op.ALU_EI -> dword && register ? ALU32_RM_IMM : GENERAL;
            case Op.TEST_EG -> dword && register ? TEST32_RM_REG : GENERAL;
            case Op.INC_R -> dword ? INC32_REG : GENERAL;
            case Op.DEC_R -> dword ? DEC32_REG : GENERAL;
            case Op.MOV_EG -> !dword ? GENERAL : register ? MOV32_RM_REG : MOV32_STORE;
            case Op.MOV_GE -> !dword ? GENERAL : register ? MOV32_REG_RM : MOV32_LOAD;
            case Op.MOV_RI -> dword ? MOV32_REG_IMM : GENERAL;
            case Op.LEA -> dword && in.addressSize32 ? LEA32 : GENERAL;
            case Op.JCC -> JCC;
            case Op.JMP_REL -> JMP_REL;
            case Op.PUSH_R -> dword ? PUSH32_REG : GENERAL;
            case Op.POP_R -> dword ? POP32_REG : GENERAL;
            case Op.CALL_REL -> dword ? CALL32_REL : GENERAL;
            case Op.RET_NEAR -> dword ? RET32_NEAR : GENERAL;
            default -> GENERAL;
        };
    }
}
