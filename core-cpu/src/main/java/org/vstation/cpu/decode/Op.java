package org.vstation.cpu.decode;

/**
 * Handler numbers: one per instruction semantics, whatever the operand size
 * or encoding. The interpreter switches on these; the decoder picks them
 * from {@link OpcodeTable}.
 */
public final class Op {
    private Op() {}

    public static final int UD = 0;
    // arithmetic and logic; the ALU operation (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP) is in the opcode or reg field
    public static final int ALU_EG = 1, ALU_GE = 2, ALU_AI = 3, ALU_EI = 4;
    public static final int PUSH_SEG = 5, POP_SEG = 6;
    public static final int DAA = 7, DAS = 8, AAA = 9, AAS = 10;
    public static final int INC_R = 11, DEC_R = 12, PUSH_R = 13, POP_R = 14;
    public static final int PUSHA = 15, POPA = 16, BOUND = 17, ARPL = 18;
    public static final int PUSH_I = 19, IMUL_GEI = 20, INS = 21, OUTS = 22, JCC = 23;
    public static final int TEST_EG = 24, XCHG_EG = 25, MOV_EG = 26, MOV_GE = 27;
    public static final int MOV_E_SEG = 28, LEA = 29, MOV_SEG_E = 30, POP_E = 31;
    public static final int XCHG_AR = 32, CBW = 33, CWD = 34, CALL_FAR = 35, WAIT = 36;
    public static final int PUSHF = 37, POPF = 38, SAHF = 39, LAHF = 40;
    public static final int MOV_A_MOFFS = 41, MOV_MOFFS_A = 42;
    public static final int MOVS = 43, CMPS = 44, TEST_AI = 45, STOS = 46, LODS = 47, SCAS = 48;
    public static final int MOV_RI = 49, SHIFT_I = 50, SHIFT_1 = 51, SHIFT_CL = 52;
    public static final int RET_NEAR = 53, LOAD_FAR_POINTER = 54, MOV_EI = 55, ENTER = 56, LEAVE = 57;
    public static final int RET_FAR = 58, INT3 = 59, INT_I = 60, INTO = 61, IRET = 62;
    public static final int AAM = 63, AAD = 64, SALC = 65, XLAT = 66, ESC = 67;
    public static final int LOOPNE = 68, LOOPE = 69, LOOP = 70, JCXZ = 71;
    public static final int IN_I = 72, OUT_I = 73, IN_DX = 74, OUT_DX = 75;
    public static final int CALL_REL = 76, JMP_REL = 77, JMP_FAR = 78;
    public static final int HLT = 79, CMC = 80;
    public static final int TEST_EI = 81, NOT = 82, NEG = 83, MUL = 84, IMUL_1 = 85, DIV = 86, IDIV = 87;
    public static final int CLC = 88, STC = 89, CLI = 90, STI = 91, CLD = 92, STD = 93;
    public static final int INC_E = 94, DEC_E = 95, CALL_E = 96, CALL_FAR_E = 97, JMP_E = 98, JMP_FAR_E = 99, PUSH_E = 100;
    public static final int INT1 = 101, NOP = 102, TOO_LONG = 103;
    // 0F map
    public static final int SLDT = 110, STR = 111, LLDT = 112, LTR = 113, VERR = 114, VERW = 115;
    public static final int SGDT = 116, SIDT = 117, LGDT = 118, LIDT = 119, SMSW = 120, LMSW = 121, INVLPG = 122;
    public static final int LAR = 123, LSL = 124, CLTS = 125, INVD = 126, WBINVD = 127, UD2 = 128;
    public static final int MOV_R_CR = 129, MOV_R_DR = 130, MOV_CR_R = 131, MOV_DR_R = 132;
    public static final int WRMSR = 133, RDTSC = 134, RDMSR = 135, SYSENTER = 136, SYSEXIT = 137;
    public static final int CMOV = 138, SETCC = 139, CPUID = 140;
    public static final int BT = 141, BTS = 142, BTR = 143, BTC = 144, BT_I = 145;
    public static final int SHLD_I = 146, SHLD_CL = 147, SHRD_I = 148, SHRD_CL = 149;
    public static final int IMUL_GE = 150, CMPXCHG = 151, MOVZX = 152, MOVSX = 153;
    public static final int BSF = 154, BSR = 155, XADD = 156, CMPXCHG8B = 157, BSWAP = 158, RDPMC = 159;
    public static final int COUNT = 160;
}
