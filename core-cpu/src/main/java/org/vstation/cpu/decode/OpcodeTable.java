package org.vstation.cpu.decode;

import static org.vstation.cpu.decode.Op.*;

/**
 * The opcode map of an i686 without MMX/SSE (Intel SDM vol. 2, appendix A):
 * for each opcode its handler and operand form. Opcodes 0x000-0x0FF are the
 * one-byte map, 0x100-0x1FF the 0F map. Group opcodes (ModR/M reg field
 * selects the operation) have a handler and form per reg value.
 */
public final class OpcodeTable {
    private OpcodeTable() {}

    /** Has a ModR/M byte. */
    public static final int MODRM = 1;
    /** Byte operand size. */
    public static final int BYTE = 1 << 1;
    /** An 8-bit immediate (sign-extended in {@link Instruction#immediate}). */
    public static final int IMM8 = 1 << 2;
    /** A 16-bit immediate. */
    public static final int IMM16 = 1 << 3;
    /** A 16- or 32-bit immediate, by operand size. */
    public static final int IMMZ = 1 << 4;
    /** A memory offset of the address size (MOV AL, moffs). */
    public static final int MOFFS = 1 << 5;
    /** A far pointer: offset (operand size) then a 16-bit selector in {@link Instruction#immediate2}. */
    public static final int FAR_POINTER = 1 << 6;
    /** Ends a decoded block: changes control flow, CS, the mode or the interrupt flag. */
    public static final int ENDS_BLOCK = 1 << 7;
    /** The operand is 16 bits whatever the operand size (selectors, MSW). */
    public static final int WORD = 1 << 8;
    /** The ModR/M byte always names a register (MOV CRn/DRn ignore mod). */
    public static final int REGISTER_ONLY = 1 << 9;
    /** LOCK is allowed when the destination is memory. */
    public static final int LOCKABLE = 1 << 10;
    /** ENTER: a 16-bit immediate then an 8-bit one in {@link Instruction#immediate2}. */
    public static final int IMM16_IMM8 = 1 << 11;
    /** The operand size is 32 bits in every mode (control and debug registers). */
    public static final int DWORD = 1 << 12;
    /** Only the memory form exists; the register form is #UD. */
    public static final int MEMORY_ONLY = 1 << 13;

    private static final int[] HANDLER = new int[512];
    private static final int[] FORM = new int[512];
    private static final boolean[] GROUP = new boolean[512];
    private static final int[] GROUP_HANDLER = new int[512 * 8];
    private static final int[] GROUP_FORM = new int[512 * 8];

    public static int handler(int opcode) {
        return HANDLER[opcode];
    }

    public static int form(int opcode) {
        return FORM[opcode];
    }

    public static boolean isGroup(int opcode) {
        return GROUP[opcode];
    }

    public static int groupHandler(int opcode, int reg) {
        return GROUP_HANDLER[opcode * 8 + reg];
    }

    public static int groupForm(int opcode, int reg) {
        return GROUP_FORM[opcode * 8 + reg];
    }

    private static void def(int opcode, int handler, int form) {
        HANDLER[opcode] = handler;
        FORM[opcode] = form;
    }

    private static void group(int opcode, int reg, int handler, int form) {
        GROUP[opcode] = true;
        FORM[opcode] = MODRM;
        GROUP_HANDLER[opcode * 8 + reg] = handler;
        GROUP_FORM[opcode * 8 + reg] = form | MODRM;
    }

    private static final int END = ENDS_BLOCK;
    private static final int M = MODRM;
    private static final int B = BYTE;

    static {
        for (int op = 0; op < 8; op++) {
            int base = op << 3;
            int lock = op == 7 ? 0 : LOCKABLE;
            def(base, ALU_EG, M | B | lock);
            def(base + 1, ALU_EG, M | lock);
            def(base + 2, ALU_GE, M | B);
            def(base + 3, ALU_GE, M);
            def(base + 4, ALU_AI, B | IMM8);
            def(base + 5, ALU_AI, IMMZ);
        }
        def(0x06, PUSH_SEG, 0);
        def(0x07, POP_SEG, 0);
        def(0x0E, PUSH_SEG, 0);
        def(0x16, PUSH_SEG, 0);
        def(0x17, POP_SEG, END); // MOV SS-style interrupt shadow
        def(0x1E, PUSH_SEG, 0);
        def(0x1F, POP_SEG, 0);
        def(0x27, DAA, 0);
        def(0x2F, DAS, 0);
        def(0x37, AAA, 0);
        def(0x3F, AAS, 0);
        for (int r = 0; r < 8; r++) {
            def(0x40 + r, INC_R, 0);
            def(0x48 + r, DEC_R, 0);
            def(0x50 + r, PUSH_R, 0);
            def(0x58 + r, POP_R, 0);
            def(0x90 + r, r == 0 ? NOP : XCHG_AR, 0);
            def(0xB0 + r, MOV_RI, B | IMM8);
            def(0xB8 + r, MOV_RI, IMMZ);
        }
        def(0x60, PUSHA, 0);
        def(0x61, POPA, 0);
        def(0x62, BOUND, M | MEMORY_ONLY);
        def(0x63, ARPL, M | WORD);
        def(0x68, PUSH_I, IMMZ);
        def(0x69, IMUL_GEI, M | IMMZ);
        def(0x6A, PUSH_I, IMM8);
        def(0x6B, IMUL_GEI, M | IMM8);
        def(0x6C, INS, B);
        def(0x6D, INS, 0);
        def(0x6E, OUTS, B);
        def(0x6F, OUTS, 0);
        for (int cc = 0; cc < 16; cc++) {
            def(0x70 + cc, JCC, IMM8 | END);
            def(0x140 + cc, CMOV, M);
            def(0x180 + cc, JCC, IMMZ | END);
            def(0x190 + cc, SETCC, M | B);
        }
        for (int reg = 0; reg < 8; reg++) {
            int lock = reg == 7 ? 0 : LOCKABLE;
            group(0x80, reg, ALU_EI, B | IMM8 | lock);
            group(0x81, reg, ALU_EI, IMMZ | lock);
            group(0x82, reg, ALU_EI, B | IMM8 | lock);
            group(0x83, reg, ALU_EI, IMM8 | lock);
            group(0xC0, reg, SHIFT_I, B | IMM8);
            group(0xC1, reg, SHIFT_I, IMM8);
            group(0xD0, reg, SHIFT_1, B);
            group(0xD1, reg, SHIFT_1, 0);
            group(0xD2, reg, SHIFT_CL, B);
            group(0xD3, reg, SHIFT_CL, 0);
        }
        def(0x84, TEST_EG, M | B);
        def(0x85, TEST_EG, M);
        def(0x86, XCHG_EG, M | B | LOCKABLE);
        def(0x87, XCHG_EG, M | LOCKABLE);
        def(0x88, MOV_EG, M | B);
        def(0x89, MOV_EG, M);
        def(0x8A, MOV_GE, M | B);
        def(0x8B, MOV_GE, M);
        def(0x8C, MOV_E_SEG, M);
        def(0x8D, LEA, M | MEMORY_ONLY);
        def(0x8E, MOV_SEG_E, M | WORD | END);
        group(0x8F, 0, POP_E, 0);
        def(0x98, CBW, 0);
        def(0x99, CWD, 0);
        def(0x9A, CALL_FAR, FAR_POINTER | END);
        def(0x9B, WAIT, 0);
        def(0x9C, PUSHF, 0);
        def(0x9D, POPF, END);
        def(0x9E, SAHF, 0);
        def(0x9F, LAHF, 0);
        def(0xA0, MOV_A_MOFFS, B | MOFFS);
        def(0xA1, MOV_A_MOFFS, MOFFS);
        def(0xA2, MOV_MOFFS_A, B | MOFFS);
        def(0xA3, MOV_MOFFS_A, MOFFS);
        def(0xA4, MOVS, B);
        def(0xA5, MOVS, 0);
        def(0xA6, CMPS, B);
        def(0xA7, CMPS, 0);
        def(0xA8, TEST_AI, B | IMM8);
        def(0xA9, TEST_AI, IMMZ);
        def(0xAA, STOS, B);
        def(0xAB, STOS, 0);
        def(0xAC, LODS, B);
        def(0xAD, LODS, 0);
        def(0xAE, SCAS, B);
        def(0xAF, SCAS, 0);
        def(0xC2, RET_NEAR, IMM16 | END);
        def(0xC3, RET_NEAR, END);
        def(0xC4, LOAD_FAR_POINTER, M | MEMORY_ONLY);
        def(0xC5, LOAD_FAR_POINTER, M | MEMORY_ONLY);
        group(0xC6, 0, MOV_EI, B | IMM8);
        group(0xC7, 0, MOV_EI, IMMZ);
        def(0xC8, ENTER, IMM16_IMM8);
        def(0xC9, LEAVE, 0);
        def(0xCA, RET_FAR, IMM16 | END);
        def(0xCB, RET_FAR, END);
        def(0xCC, INT3, END);
        def(0xCD, INT_I, IMM8 | END);
        def(0xCE, INTO, END);
        def(0xCF, IRET, END);
        def(0xD4, AAM, IMM8);
        def(0xD5, AAD, IMM8);
        def(0xD6, SALC, 0);
        def(0xD7, XLAT, 0);
        for (int esc = 0xD8; esc <= 0xDF; esc++) {
            def(esc, ESC, M);
        }
        def(0xE0, LOOPNE, IMM8 | END);
        def(0xE1, LOOPE, IMM8 | END);
        def(0xE2, LOOP, IMM8 | END);
        def(0xE3, JCXZ, IMM8 | END);
        def(0xE4, IN_I, B | IMM8);
        def(0xE5, IN_I, IMM8);
        def(0xE6, OUT_I, B | IMM8 | END);
        def(0xE7, OUT_I, IMM8 | END);
        def(0xE8, CALL_REL, IMMZ | END);
        def(0xE9, JMP_REL, IMMZ | END);
        def(0xEA, JMP_FAR, FAR_POINTER | END);
        def(0xEB, JMP_REL, IMM8 | END);
        def(0xEC, IN_DX, B);
        def(0xED, IN_DX, 0);
        def(0xEE, OUT_DX, B | END);
        def(0xEF, OUT_DX, END);
        def(0xF1, INT1, END);
        def(0xF4, HLT, END);
        def(0xF5, CMC, 0);
        group(0xF6, 0, TEST_EI, B | IMM8);
        group(0xF6, 1, TEST_EI, B | IMM8);
        group(0xF6, 2, NOT, B | LOCKABLE);
        group(0xF6, 3, NEG, B | LOCKABLE);
        group(0xF6, 4, MUL, B);
        group(0xF6, 5, IMUL_1, B);
        group(0xF6, 6, DIV, B);
        group(0xF6, 7, IDIV, B);
        group(0xF7, 0, TEST_EI, IMMZ);
        group(0xF7, 1, TEST_EI, IMMZ);
        group(0xF7, 2, NOT, LOCKABLE);
        group(0xF7, 3, NEG, LOCKABLE);
        group(0xF7, 4, MUL, 0);
        group(0xF7, 5, IMUL_1, 0);
        group(0xF7, 6, DIV, 0);
        group(0xF7, 7, IDIV, 0);
        def(0xF8, CLC, 0);
        def(0xF9, STC, 0);
        def(0xFA, CLI, 0);
        def(0xFB, STI, END);
        def(0xFC, CLD, 0);
        def(0xFD, STD, 0);
        group(0xFE, 0, INC_E, B | LOCKABLE);
        group(0xFE, 1, DEC_E, B | LOCKABLE);
        group(0xFF, 0, INC_E, LOCKABLE);
        group(0xFF, 1, DEC_E, LOCKABLE);
        group(0xFF, 2, CALL_E, END);
        group(0xFF, 3, CALL_FAR_E, MEMORY_ONLY | END);
        group(0xFF, 4, JMP_E, END);
        group(0xFF, 5, JMP_FAR_E, MEMORY_ONLY | END);
        group(0xFF, 6, PUSH_E, 0);

        // 0F map
        group(0x100, 0, SLDT, WORD);
        group(0x100, 1, STR, WORD);
        group(0x100, 2, LLDT, WORD | END);
        group(0x100, 3, LTR, WORD | END);
        group(0x100, 4, VERR, WORD);
        group(0x100, 5, VERW, WORD);
        group(0x101, 0, SGDT, MEMORY_ONLY);
        group(0x101, 1, SIDT, MEMORY_ONLY);
        group(0x101, 2, LGDT, MEMORY_ONLY);
        group(0x101, 3, LIDT, MEMORY_ONLY);
        group(0x101, 4, SMSW, 0);
        group(0x101, 6, LMSW, WORD | END);
        group(0x101, 7, INVLPG, MEMORY_ONLY | END);
        def(0x102, LAR, M);
        def(0x103, LSL, M);
        def(0x106, CLTS, 0);
        def(0x108, INVD, 0);
        def(0x109, WBINVD, 0);
        def(0x10B, UD2, 0);
        for (int hint = 0x118; hint <= 0x11F; hint++) {
            def(hint, NOP, M);
        }
        def(0x120, MOV_R_CR, M | REGISTER_ONLY | DWORD);
        def(0x121, MOV_R_DR, M | REGISTER_ONLY | DWORD);
        def(0x122, MOV_CR_R, M | REGISTER_ONLY | DWORD | END);
        def(0x123, MOV_DR_R, M | REGISTER_ONLY | DWORD | END);
        def(0x130, WRMSR, 0);
        def(0x131, RDTSC, 0);
        def(0x132, RDMSR, 0);
        def(0x133, RDPMC, 0);
        def(0x134, SYSENTER, END);
        def(0x135, SYSEXIT, END);
        def(0x1A0, PUSH_SEG, 0);
        def(0x1A1, POP_SEG, 0);
        def(0x1A2, CPUID, 0);
        def(0x1A3, BT, M);
        def(0x1A4, SHLD_I, M | IMM8);
        def(0x1A5, SHLD_CL, M);
        def(0x1A8, PUSH_SEG, 0);
        def(0x1A9, POP_SEG, 0);
        def(0x1AB, BTS, M | LOCKABLE);
        def(0x1AC, SHRD_I, M | IMM8);
        def(0x1AD, SHRD_CL, M);
        def(0x1AF, IMUL_GE, M);
        def(0x1B0, CMPXCHG, M | B | LOCKABLE);
        def(0x1B1, CMPXCHG, M | LOCKABLE);
        def(0x1B2, LOAD_FAR_POINTER, M | MEMORY_ONLY);
        def(0x1B3, BTR, M | LOCKABLE);
        def(0x1B4, LOAD_FAR_POINTER, M | MEMORY_ONLY);
        def(0x1B5, LOAD_FAR_POINTER, M | MEMORY_ONLY);
        def(0x1B6, MOVZX, M);
        def(0x1B7, MOVZX, M);
        group(0x1BA, 4, BT_I, IMM8);
        group(0x1BA, 5, BT_I, IMM8 | LOCKABLE);
        group(0x1BA, 6, BT_I, IMM8 | LOCKABLE);
        group(0x1BA, 7, BT_I, IMM8 | LOCKABLE);
        def(0x1BB, BTC, M | LOCKABLE);
        def(0x1BC, BSF, M);
        def(0x1BD, BSR, M);
        def(0x1BE, MOVSX, M);
        def(0x1BF, MOVSX, M);
        def(0x1C0, XADD, M | B | LOCKABLE);
        def(0x1C1, XADD, M | LOCKABLE);
        group(0x1C7, 1, CMPXCHG8B, MEMORY_ONLY | LOCKABLE);
        for (int r = 0; r < 8; r++) {
            def(0x1C8 + r, BSWAP, 0);
        }
    }
}
