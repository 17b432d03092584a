package org.vstation.cpu.fpu;

import static org.vstation.cpu.fpu.ExtendedArithmetic.C1;
import static org.vstation.cpu.fpu.ExtendedArithmetic.DE;
import static org.vstation.cpu.fpu.ExtendedArithmetic.IE;
import static org.vstation.cpu.fpu.ExtendedArithmetic.INDEFINITE_SE;
import static org.vstation.cpu.fpu.ExtendedArithmetic.INDEFINITE_SIG;
import static org.vstation.cpu.fpu.ExtendedArithmetic.OE;
import static org.vstation.cpu.fpu.ExtendedArithmetic.SF;
import static org.vstation.cpu.fpu.ExtendedArithmetic.UE;
import static org.vstation.cpu.fpu.ExtendedArithmetic.ZE;

import java.nio.ByteBuffer;

/**
 * The x87 floating-point unit of a Pentium Pro: the register stack, control/status/tag words, the last
 * instruction and operand pointers, and every escape instruction D8-DF (Intel SDM vol. 1, chapter 8; vol. 2 for
 * each instruction). The integer CPU checks CR0.EM/TS and delivers #MF before calling {@link #execute}; FWAIT is
 * the CPU's and only looks at {@link #hasPendingUnmaskedException()}. FNSTSW AX (DF E0) is completed by the CPU:
 * it writes {@link #statusWord()} to AX, or runs FNSTSW m16 (DD /7) with the operand redirected to AX.
 *
 * <p>Where the manual leaves a result undefined (C1 after FCMOVcc, FPREM's partial quotient, F2XM1 outside
 * -1..1) the unit does what the host x87 the oracle tests run on does; see {@code docs/x87.md}.
 */
public final class X87Fpu {
    static final int SW_C0 = 0x0100, SW_C1 = 0x0200, SW_C2 = 0x0400, SW_C3 = 0x4000;
    static final int SW_ES = 0x0080, SW_BUSY = 0x8000;
    static final int SW_TOP_SHIFT = 11;
    private static final int SW_CONDITION = SW_C0 | SW_C1 | SW_C2 | SW_C3;
    private static final int SW_FLAGS = 0x7F;
    private static final int EXCEPTION_MASKS = 0x3F;

    static final int TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;

    static final int EFLAGS_CF = 0x001, EFLAGS_PF = 0x004, EFLAGS_AF = 0x010, EFLAGS_ZF = 0x040;
    static final int EFLAGS_SF = 0x080, EFLAGS_OF = 0x800;

    /** Control word after FNINIT: everything masked, 64-bit precision, round to nearest. */
    static final int CW_FNINIT = 0x037F;
    /** Control word after RESET on P6-family processors (SDM vol. 3, table 9-1). */
    static final int CW_POWER_ON = 0x0040;

    private final ExtendedArithmetic unit = new ExtendedArithmetic();
    private final X87Transcendental transcendental = new X87Transcendental(unit);
    private final int[] signExponent = new int[8];
    private final long[] significand = new long[8];
    /** Bit n set: physical register n is empty. */
    private int emptyMask;
    private int top;
    /** Status word without TOP, ES and B (which are derived). */
    private int status;

    private int instructionOffset, instructionSelector, lastOpcode;
    private int operandOffset, operandSelector;

    public X87Fpu() {
        powerOn();
    }

    /** RESET: registers +0.0 and tagged valid, control word 0040H (SDM vol. 3, table 9-1). */
    public void powerOn() {
        reset();
        unit.controlWord = CW_POWER_ON;
        emptyMask = 0;
        for (int i = 0; i < 8; i++) {
            signExponent[i] = 0;
            significand[i] = 0;
        }
    }

    /** FNINIT. Register contents are left as they were; only the tags say empty. */
    public void reset() {
        unit.controlWord = CW_FNINIT;
        status = 0;
        top = 0;
        emptyMask = 0xFF;
        instructionOffset = instructionSelector = lastOpcode = 0;
        operandOffset = operandSelector = 0;
    }

    public int controlWord() {
        return unit.controlWord;
    }

    public int statusWord() {
        int word = (status & ~(SW_ES | SW_BUSY | (7 << SW_TOP_SHIFT))) | (top << SW_TOP_SHIFT);
        return hasPendingUnmaskedException() ? word | SW_ES | SW_BUSY : word;
    }

    /** ES: an exception flag is set whose mask bit is clear; the CPU raises #MF or FERR# at the next waiting insn. */
    public boolean hasPendingUnmaskedException() {
        return (status & ~unit.controlWord & EXCEPTION_MASKS) != 0;
    }

    /** The full tag word as FSTENV reports it, computed from the register contents. */
    public int tagWord() {
        int word = 0;
        for (int physical = 0; physical < 8; physical++) {
            word |= physicalTag(physical) << (2 * physical);
        }
        return word;
    }

    public int top() {
        return top;
    }

    /** ST(i)'s sign and exponent (sign in bit 15). */
    public int registerSignExponent(int i) {
        return signExponent[physical(i)];
    }

    public long registerSignificand(int i) {
        return significand[physical(i)];
    }

    public boolean isEmpty(int i) {
        return (emptyMask & (1 << physical(i))) != 0;
    }

    // ---- snapshots ------------------------------------------------------------------------------------------

    private static final int SNAPSHOT_VERSION = 1;
    private static final int SNAPSHOT_SIZE = 4 * 10 + 8 * 10;

    /** The whole unit's state for VM snapshots (not a guest-visible format). */
    public byte[] snapshot() {
        ByteBuffer buffer = ByteBuffer.allocate(SNAPSHOT_SIZE);
        buffer.putInt(SNAPSHOT_VERSION).putInt(unit.controlWord).putInt(status).putInt(top).putInt(emptyMask)
                .putInt(instructionOffset).putInt(instructionSelector).putInt(lastOpcode)
                .putInt(operandOffset).putInt(operandSelector);
        for (int p = 0; p < 8; p++) {
            buffer.putShort((short) signExponent[p]).putLong(significand[p]);
        }
        return buffer.array();
    }

    /** Restores {@link #snapshot()}; a snapshot of another size or version is refused. */
    public void restoreSnapshot(byte[] snapshot) {
        if (snapshot.length != SNAPSHOT_SIZE) {
            throw new IllegalArgumentException("x87 snapshot has " + snapshot.length + " bytes, expected " + SNAPSHOT_SIZE);
        }
        ByteBuffer buffer = ByteBuffer.wrap(snapshot);
        int version = buffer.getInt();
        if (version != SNAPSHOT_VERSION) {
            throw new IllegalArgumentException("x87 snapshot version " + version + " is not supported");
        }
        unit.controlWord = buffer.getInt();
        status = buffer.getInt();
        top = buffer.getInt() & 7;
        emptyMask = buffer.getInt() & 0xFF;
        instructionOffset = buffer.getInt();
        instructionSelector = buffer.getInt();
        lastOpcode = buffer.getInt();
        operandOffset = buffer.getInt();
        operandSelector = buffer.getInt();
        for (int p = 0; p < 8; p++) {
            signExponent[p] = buffer.getShort() & 0xFFFF;
            significand[p] = buffer.getLong();
        }
    }

    // ---- dispatch -------------------------------------------------------------------------------------------

    /** Executes one escape instruction: {@code opcode} 0xD8-0xDF and its ModR/M byte. */
    public void execute(int opcode, int modrm, FpuContext context) {
        unit.exceptions = 0;
        unit.sourceDenormal = false;
        boolean memory = modrm < 0xC0;
        int reg = (modrm >> 3) & 7;
        int rm = modrm & 7;
        int escape = opcode & 7;
        if (!isControlInstruction(escape, memory, reg, modrm)) {
            instructionSelector = context.instructionSelector();
            instructionOffset = context.instructionOffset();
            lastOpcode = (escape << 8) | (modrm & 0xFF);
            if (memory) {
                operandSelector = context.operandSelector();
                operandOffset = context.operandOffset();
            }
        }
        switch (escape) {
            case 0 -> {
                if (memory) {
                    arithmeticMemory(reg, context, MemoryFormat.SINGLE);
                } else {
                    arithmeticRegister(reg, 0, rm, false, false);
                }
            }
            case 1 -> escapeD9(memory, reg, rm, modrm, context);
            case 2 -> {
                if (memory) {
                    arithmeticMemory(reg, context, MemoryFormat.INT32);
                } else if (reg < 4) {
                    conditionalMove(reg, false, rm, context);
                } else if (modrm == 0xE9) {
                    compareRegisters(1, true, 2);
                } else {
                    reservedEncoding();
                }
            }
            case 3 -> escapeDB(memory, reg, rm, modrm, context);
            case 4 -> {
                if (memory) {
                    arithmeticMemory(reg, context, MemoryFormat.DOUBLE);
                } else {
                    arithmeticRegister(reg, rm, 0, true, false);
                }
            }
            case 5 -> escapeDD(memory, reg, rm, context);
            case 6 -> {
                if (memory) {
                    arithmeticMemory(reg, context, MemoryFormat.INT16);
                } else if (reg == 3 && rm != 1) {
                    reservedEncoding();
                } else if (reg == 3) {
                    compareRegisters(1, false, 2);
                } else {
                    arithmeticRegister(reg, rm, 0, true, true);
                }
            }
            default -> escapeDF(memory, reg, rm, modrm, context);
        }
    }

    /**
     * Whether an escape instruction first waits for pending unmasked exceptions, i.e. whether the CPU must raise
     * #MF (CR0.NE = 1) or signal FERR# (CR0.NE = 0) before calling {@link #execute} when
     * {@link #hasPendingUnmaskedException()} is true. Only the no-wait forms FNINIT, FNCLEX, FNSTCW, FNSTSW
     * (memory and AX), FNSTENV, FNSAVE and the obsolete FNENI/FNDISI/FNSETPM skip the check (SDM vol. 1, 8.3.12
     * and 8.7).
     */
    public static boolean checksPendingExceptions(int opcode, int modrm) {
        int escape = opcode & 7;
        int reg = (modrm >> 3) & 7;
        if (modrm < 0xC0) {
            return !((escape == 1 && (reg == 6 || reg == 7)) || (escape == 5 && (reg == 6 || reg == 7)));
        }
        return !((escape == 3 && modrm >= 0xE0 && modrm <= 0xE4) || (escape == 7 && modrm == 0xE0));
    }

    private static boolean isControlInstruction(int escape, boolean memory, int reg, int modrm) {
        if (memory) {
            return (escape == 1 && reg >= 4) || (escape == 5 && (reg == 4 || reg == 6 || reg == 7));
        }
        return (escape == 3 && modrm >= 0xE0 && modrm <= 0xE7) || (escape == 7 && modrm == 0xE0);
    }

    /**
     * An escape encoding a Pentium Pro reserves. The x87 decodes these without faulting; they do nothing but set
     * the pointers, like FNOP.
     */
    private void reservedEncoding() {
        finishKeepingC1();
    }

    private void escapeD9(boolean memory, int reg, int rm, int modrm, FpuContext context) {
        if (memory) {
            switch (reg) {
                case 0 -> loadMemory(context, MemoryFormat.SINGLE);
                case 2 -> storeMemory(context, MemoryFormat.SINGLE, false);
                case 3 -> storeMemory(context, MemoryFormat.SINGLE, true);
                case 4 -> loadEnvironment(context);
                case 5 -> setControlWord(context.readOperand(0, 2));
                case 6 -> {
                    storeEnvironment(context);
                    unit.controlWord |= EXCEPTION_MASKS;
                }
                case 7 -> context.writeOperand(0, 2, unit.controlWord);
                default -> reservedEncoding();
            }
            return;
        }
        switch (reg) {
            case 0 -> loadRegister(rm);
            case 1 -> exchange(rm);
            case 2 -> finishKeepingC1(); // FNOP (D9 D0) and reserved D9 D1-D7
            case 3 -> {
                // The undocumented FSTP1 alias: unlike FSTP ST(i), an empty ST(0) is popped without a stack fault.
                if (empty(0)) {
                    pop();
                    finish();
                } else {
                    storeRegister(rm, true);
                }
            }
            default -> escapeD9Group(modrm);
        }
    }

    private void escapeD9Group(int modrm) {
        switch (modrm) {
            case 0xE0 -> unaryRaw(true, false);
            case 0xE1 -> unaryRaw(false, true);
            case 0xE4 -> test();
            case 0xE5 -> examine();
            case 0xE8 -> loadConstant(0, ExtendedArithmetic.BIAS, ExtendedArithmetic.INTEGER_BIT, 0);
            case 0xE9 -> loadConstant(0, 0x4000, 0xD49A784BCD1B8AFEL, 0x492BF6FF4DAFDB4CL);
            case 0xEA -> loadConstant(0, 0x3FFF, 0xB8AA3B295C17F0BBL, 0xBE87FED0691D3E89L);
            case 0xEB -> loadConstant(0, 0x4000, 0xC90FDAA22168C234L, 0xC4C6628B80DC1CD1L);
            case 0xEC -> loadConstant(0, 0x3FFD, 0x9A209A84FBCFF798L, 0x8F8959AC0B7C9178L);
            case 0xED -> loadConstant(0, 0x3FFE, 0xB17217F7D1CF79ABL, 0xC9E3B39803F2F6AFL);
            case 0xEE -> loadConstant(0, 0, 0, 0);
            case 0xF0 -> transcendentalUnary(X87Transcendental.F2XM1);
            case 0xF1 -> transcendentalBinary(X87Transcendental.FYL2X);
            case 0xF2 -> transcendentalPush(X87Transcendental.FPTAN);
            case 0xF3 -> transcendentalBinary(X87Transcendental.FPATAN);
            case 0xF4 -> extract();
            case 0xF5 -> partialRemainder(true);
            case 0xF6 -> {
                top = (top - 1) & 7;
                finish();
            }
            case 0xF7 -> {
                top = (top + 1) & 7;
                finish();
            }
            case 0xF8 -> partialRemainder(false);
            case 0xF9 -> transcendentalBinary(X87Transcendental.FYL2XP1);
            case 0xFA -> unaryArithmetic(UNARY_SQRT);
            case 0xFB -> transcendentalPush(X87Transcendental.FSINCOS);
            case 0xFC -> unaryArithmetic(UNARY_RNDINT);
            case 0xFD -> scale();
            case 0xFE -> transcendentalUnary(X87Transcendental.FSIN);
            case 0xFF -> transcendentalUnary(X87Transcendental.FCOS);
            default -> reservedEncoding(); // D9 E2, E3, E6, E7, EF
        }
    }

    private void escapeDB(boolean memory, int reg, int rm, int modrm, FpuContext context) {
        if (memory) {
            switch (reg) {
                case 0 -> loadMemory(context, MemoryFormat.INT32);
                case 1 -> storeIntegerTruncating(context, MemoryFormat.INT32);
                case 2 -> storeMemory(context, MemoryFormat.INT32, false);
                case 3 -> storeMemory(context, MemoryFormat.INT32, true);
                case 5 -> loadMemory(context, MemoryFormat.EXTENDED);
                case 7 -> storeMemory(context, MemoryFormat.EXTENDED, true);
                default -> reservedEncoding();
            }
            return;
        }
        switch (reg) {
            case 0, 1, 2, 3 -> conditionalMove(reg, true, rm, context);
            case 4 -> {
                switch (modrm) {
                    case 0xE2 -> status &= ~(SW_FLAGS | SW_ES | SW_BUSY);
                    case 0xE3 -> reset();
                    default -> { } // FENI, FDISI, FSETPM: no effect on a 387 or later
                }
            }
            case 5 -> compareToFlags(rm, true, false, context);
            case 6 -> compareToFlags(rm, false, false, context);
            default -> reservedEncoding();
        }
    }

    private void escapeDD(boolean memory, int reg, int rm, FpuContext context) {
        if (memory) {
            switch (reg) {
                case 0 -> loadMemory(context, MemoryFormat.DOUBLE);
                case 1 -> storeIntegerTruncating(context, MemoryFormat.INT64);
                case 2 -> storeMemory(context, MemoryFormat.DOUBLE, false);
                case 3 -> storeMemory(context, MemoryFormat.DOUBLE, true);
                case 4 -> restoreImage(context);
                case 6 -> saveImage(context);
                case 7 -> context.writeOperand(0, 2, statusWord());
                default -> reservedEncoding();
            }
            return;
        }
        switch (reg) {
            case 0 -> {
                emptyMask |= 1 << physical(rm);
                finish();
            }
            case 1 -> exchange(rm);
            case 2 -> storeRegister(rm, false);
            case 3 -> storeRegister(rm, true);
            case 4 -> compareRegisters(rm, true, 0);
            case 5 -> compareRegisters(rm, true, 1);
            default -> reservedEncoding();
        }
    }

    private void escapeDF(boolean memory, int reg, int rm, int modrm, FpuContext context) {
        if (memory) {
            switch (reg) {
                case 0 -> loadMemory(context, MemoryFormat.INT16);
                case 1 -> storeIntegerTruncating(context, MemoryFormat.INT16);
                case 2 -> storeMemory(context, MemoryFormat.INT16, false);
                case 3 -> storeMemory(context, MemoryFormat.INT16, true);
                case 4 -> loadMemory(context, MemoryFormat.BCD);
                case 5 -> loadMemory(context, MemoryFormat.INT64);
                case 6 -> storeMemory(context, MemoryFormat.BCD, true);
                default -> storeMemory(context, MemoryFormat.INT64, true);
            }
            return;
        }
        switch (reg) {
            case 0 -> { // FFREEP (undocumented): free ST(i), then pop
                emptyMask |= 1 << physical(rm);
                pop();
                finish();
            }
            case 1 -> exchange(rm);
            case 2, 3 -> storeRegister(rm, true);
            case 4 -> {
                // DF E0 is FNSTSW AX, which the CPU completes (see the class comment); DF E1-E7 are reserved.
                if (modrm != 0xE0) {
                    reservedEncoding();
                }
            }
            case 5 -> compareToFlags(rm, true, true, context);
            case 6 -> compareToFlags(rm, false, true, context);
            default -> reservedEncoding();
        }
    }

    // ---- register stack -------------------------------------------------------------------------------------

    private int physical(int i) {
        return (top + i) & 7;
    }

    private boolean empty(int i) {
        return (emptyMask & (1 << physical(i))) != 0;
    }

    private int se(int i) {
        return signExponent[physical(i)];
    }

    private long sig(int i) {
        return significand[physical(i)];
    }

    private void write(int i, int se, long sig) {
        int p = physical(i);
        signExponent[p] = se & 0xFFFF;
        significand[p] = sig;
        emptyMask &= ~(1 << p);
    }

    private void writeResult(int i) {
        write(i, unit.resultSignExponent, unit.resultSignificand);
    }

    private void pop() {
        emptyMask |= 1 << top;
        top = (top + 1) & 7;
    }

    private void push(int se, long sig) {
        top = (top - 1) & 7;
        write(0, se, sig);
    }

    /** Stack underflow: IE with SF, C1 = 0 (SDM vol. 1, 8.5.1.1). */
    private void stackUnderflow() {
        unit.exceptions = (unit.exceptions | IE | SF) & ~C1;
    }

    /** A push onto a full stack: IE with SF, C1 = 1. Returns true when there was no room. */
    private boolean stackOverflow() {
        if ((emptyMask & (1 << ((top - 1) & 7))) != 0) {
            return false;
        }
        unit.exceptions |= IE | SF | C1;
        return true;
    }

    private boolean invalidMasked() {
        return (unit.controlWord & IE) != 0;
    }

    /** IE, DE and ZE are signalled before the result is written; unmasked, they leave registers and TOP alone. */
    private boolean resultSuppressed() {
        return (unit.exceptions & ~unit.controlWord & (IE | DE | ZE)) != 0;
    }

    /** Merges the instruction's exception flags and C1 into the status word. */
    private void finish() {
        status = (status & ~SW_C1) | (unit.exceptions & (SW_FLAGS | C1));
    }

    /**
     * For the instructions whose C1 the manual leaves undefined (FNOP, FCMOVcc, FCOMI...): the hardware keeps it,
     * except that a stack fault still reports its direction there.
     */
    private void finishKeepingC1() {
        if ((unit.exceptions & SF) != 0) {
            finish();
        } else {
            status |= unit.exceptions & SW_FLAGS;
        }
    }

    private void setConditionCodes(int c3c2c0) {
        status = (status & ~(SW_C0 | SW_C2 | SW_C3)) | c3c2c0;
    }

    private int physicalTag(int physical) {
        if ((emptyMask & (1 << physical)) != 0) {
            return TAG_EMPTY;
        }
        return switch (ExtendedArithmetic.classify(signExponent[physical], significand[physical])) {
            case ExtendedArithmetic.ZERO -> TAG_ZERO;
            case ExtendedArithmetic.NORMAL -> TAG_VALID;
            default -> TAG_SPECIAL;
        };
    }

    // ---- arithmetic -----------------------------------------------------------------------------------------

    /** The eight D8-style operations by ModR/M reg: a op b, where a is the destination. */
    private void arithmetic(int operation, int aSe, long aSig, int bSe, long bSig) {
        int precision = unit.precisionBits();
        switch (operation) {
            case 0 -> unit.add(aSe, aSig, bSe, bSig, false, precision);
            case 1 -> unit.multiply(aSe, aSig, bSe, bSig, precision);
            case 4 -> unit.add(aSe, aSig, bSe, bSig, true, precision);
            case 5 -> unit.add(bSe, bSig, aSe, aSig, true, precision);
            case 6 -> unit.divide(aSe, aSig, bSe, bSig, precision);
            case 7 -> unit.divide(bSe, bSig, aSe, aSig, precision);
            default -> throw new IllegalArgumentException("not an arithmetic operation: " + operation);
        }
    }

    /**
     * Register forms: ST(dest) = ST(dest) op ST(src). For DC and DE ({@code reversedEncoding}) the encodings of
     * SUB/SUBR and DIV/DIVR are swapped relative to D8 (SDM vol. 2, FSUB: "DC E8+i FSUB ST(i), ST(0)").
     */
    private void arithmeticRegister(int reg, int dest, int src, boolean reversedEncoding, boolean pop) {
        if (reg == 2 || reg == 3) {
            compareRegisters(reversedEncoding ? dest : src, false, reg == 3 || pop ? 1 : 0);
            return;
        }
        int operation = reversedEncoding && reg >= 4 ? reg ^ 1 : reg;
        if (empty(dest) || empty(src)) {
            underflowInto(dest, pop);
            return;
        }
        arithmetic(operation, se(dest), sig(dest), se(src), sig(src));
        if (!resultSuppressed()) {
            writeResult(dest);
            if (pop) {
                pop();
            }
        }
        finish();
    }

    private void arithmeticMemory(int reg, FpuContext context, MemoryFormat format) {
        readMemoryOperand(context, format);
        int bSe = unit.resultSignExponent;
        long bSig = unit.resultSignificand;
        if (reg == 2 || reg == 3) {
            compareWith(bSe, bSig, false, reg == 3 ? 1 : 0);
            return;
        }
        if (empty(0)) {
            underflowInto(0, false);
            return;
        }
        arithmetic(reg, se(0), sig(0), bSe, bSig);
        if (!resultSuppressed()) {
            writeResult(0);
        }
        finish();
    }

    /** Reads a source operand into the unit's result fields, without raising anything (see widen). */
    private void readMemoryOperand(FpuContext context, MemoryFormat format) {
        switch (format) {
            case SINGLE -> unit.widen(context.readOperand(0, 4) & 0xFFFF_FFFFL, 8, 23);
            case DOUBLE -> unit.widen(readLong(context, 0), 11, 52);
            case INT16 -> unit.fromInteger((short) context.readOperand(0, 2));
            case INT32 -> unit.fromInteger(context.readOperand(0, 4));
            case INT64 -> unit.fromInteger(readLong(context, 0));
            case EXTENDED -> unit.setResult(context.readOperand(8, 2) & 0xFFFF, readLong(context, 0));
            case BCD -> unit.fromBcd(readLong(context, 0), context.readOperand(8, 2) & 0xFFFF);
        }
    }

    private static long readLong(FpuContext context, int offset) {
        return (context.readOperand(offset, 4) & 0xFFFF_FFFFL) | ((long) context.readOperand(offset + 4, 4) << 32);
    }

    private static void writeLong(FpuContext context, int offset, long value) {
        context.writeOperand(offset, 4, (int) value);
        context.writeOperand(offset + 4, 4, (int) (value >>> 32));
    }

    private static final int UNARY_SQRT = 0, UNARY_RNDINT = 1;

    private void unaryArithmetic(int operation) {
        if (empty(0)) {
            underflowInto(0, false);
            return;
        }
        if (operation == UNARY_SQRT) {
            unit.squareRoot(se(0), sig(0), unit.precisionBits());
        } else {
            unit.roundToInteger(se(0), sig(0));
        }
        if (!resultSuppressed()) {
            writeResult(0);
        }
        finish();
    }

    /** FCHS and FABS work on the encoding and never raise anything but stack underflow. */
    private void unaryRaw(boolean negate, boolean absolute) {
        if (empty(0)) {
            underflowInto(0, false);
            return;
        }
        int value = se(0);
        write(0, negate ? value ^ 0x8000 : absolute ? value & 0x7FFF : value, sig(0));
        finish();
    }

    private void scale() {
        if (empty(0) || empty(1)) {
            underflowInto(0, false);
            return;
        }
        unit.scale(se(0), sig(0), se(1), sig(1));
        if (!resultSuppressed()) {
            writeResult(0);
        }
        finish();
    }

    /** FPREM/FPREM1. Without a quotient (stack fault, NaN, invalid, unmasked DE) C2 is cleared, C0/C3 kept. */
    private void partialRemainder(boolean nearest) {
        if (empty(0) || empty(1)) {
            underflowInto(0, false);
            status &= ~SW_C2;
            return;
        }
        unit.partialRemainder(se(0), sig(0), se(1), sig(1), nearest);
        if (!resultSuppressed()) {
            writeResult(0);
        }
        int q = unit.quotientBits;
        if (resultSuppressed() || q == ExtendedArithmetic.NO_QUOTIENT) {
            finish();
            status &= ~SW_C2;
            return;
        }
        unit.exceptions = (unit.exceptions & ~C1) | ((q & 1) != 0 ? C1 : 0);
        finish();
        if (unit.reductionIncomplete) {
            setConditionCodes(SW_C2);
        } else {
            setConditionCodes(((q & 4) != 0 ? SW_C0 : 0) | ((q & 2) != 0 ? SW_C3 : 0));
        }
    }

    private void extract() {
        if (stackFaultReplacingAndPushing()) {
            return;
        }
        unit.extract(se(0), sig(0));
        if (!resultSuppressed()) {
            writeResult(0);
            push(unit.extractedSignExponent, unit.extractedSignificand);
        }
        finish();
    }

    /**
     * The stack checks of instructions that replace ST(0) and then push (FXTRACT, FPTAN, FSINCOS): an
     * empty ST(0) is #IS underflow, a full slot below TOP #IS overflow. Masked, both results are the
     * indefinite QNaN. Returns whether a fault ended the instruction (already finished).
     */
    private boolean stackFaultReplacingAndPushing() {
        if (empty(0)) {
            stackUnderflow();
            if (invalidMasked()) {
                write(0, INDEFINITE_SE, INDEFINITE_SIG);
                if (!stackOverflow()) {
                    push(INDEFINITE_SE, INDEFINITE_SIG);
                }
            }
            finish();
            return true;
        }
        if (stackOverflow()) {
            if (invalidMasked()) {
                write(0, INDEFINITE_SE, INDEFINITE_SIG);
                push(INDEFINITE_SE, INDEFINITE_SIG);
            }
            finish();
            return true;
        }
        return false;
    }

    // ---- loads and stores -----------------------------------------------------------------------------------

    enum MemoryFormat { SINGLE, DOUBLE, EXTENDED, INT16, INT32, INT64, BCD }

    private void loadMemory(FpuContext context, MemoryFormat format) {
        switch (format) {
            case SINGLE -> unit.load(context.readOperand(0, 4) & 0xFFFF_FFFFL, 8, 23);
            case DOUBLE -> unit.load(readLong(context, 0), 11, 52);
            default -> readMemoryOperand(context, format);
        }
        pushLoaded();
    }

    /** Pushes a loaded value. A full stack takes precedence over the load's own exceptions; DE does not stop it. */
    private void pushLoaded() {
        if (stackOverflow()) {
            unit.exceptions &= IE | SF | C1;
            if (invalidMasked()) {
                push(INDEFINITE_SE, INDEFINITE_SIG);
            }
        } else if ((unit.exceptions & ~unit.controlWord & IE) == 0) {
            push(unit.resultSignExponent, unit.resultSignificand);
        }
        finish();
    }

    private void loadRegister(int i) {
        if (empty(i)) {
            stackUnderflow();
            stackOverflow(); // both at once when ST(i) is empty but the slot below TOP is in use
            if (invalidMasked()) {
                push(INDEFINITE_SE, INDEFINITE_SIG);
            }
            finish();
            return;
        }
        unit.setResult(se(i), sig(i));
        pushLoaded();
    }

    private void loadConstant(int sign, int exponent, long hi, long lo) {
        unit.setResult(sign | exponent, hi);
        if (lo != 0) {
            int rc = unit.roundingControl();
            boolean up = rc == ExtendedArithmetic.RC_UP
                    || (rc == ExtendedArithmetic.RC_NEAREST && lo < 0 && ((lo << 1) != 0 || (hi & 1) != 0));
            unit.setResult(sign | exponent, up ? hi + 1 : hi);
        }
        pushLoaded();
    }

    private void storeMemory(FpuContext context, MemoryFormat format, boolean pop) {
        if (empty(0)) {
            stackUnderflow();
            if (invalidMasked()) {
                writeIndefinite(context, format);
                if (pop) {
                    pop();
                }
            }
            finish();
            return;
        }
        int se = se(0);
        long sig = sig(0);
        switch (format) {
            case SINGLE -> {
                long bits = unit.narrow(se, sig, 8, 23);
                if (storeAllowed()) {
                    context.writeOperand(0, 4, (int) bits);
                }
            }
            case DOUBLE -> {
                long bits = unit.narrow(se, sig, 11, 52);
                if (storeAllowed()) {
                    writeLong(context, 0, bits);
                }
            }
            case EXTENDED -> {
                writeLong(context, 0, sig);
                context.writeOperand(8, 2, se);
            }
            case INT16, INT32, INT64 -> {
                long value = unit.toInteger(se, sig, integerBits(format));
                if (storeAllowed()) {
                    writeInteger(context, format, value);
                }
            }
            case BCD -> {
                long low = unit.toBcd(se, sig);
                if (storeAllowed()) {
                    writeLong(context, 0, low);
                    context.writeOperand(8, 2, unit.bcdHighBytes());
                }
            }
        }
        if (pop && storeAllowed()) {
            pop();
        }
        finish();
    }

    /**
     * FISTTP (SSE3, DB/DD/DF /1): like FISTP but always truncating. A Pentium Pro decodes it as reserved; it is
     * kept because later guests probe CPUID before using it and the host reference implements it.
     */
    private void storeIntegerTruncating(FpuContext context, MemoryFormat format) {
        int saved = unit.controlWord;
        unit.controlWord |= ExtendedArithmetic.RC_CHOP << 10;
        try {
            storeMemory(context, format, true);
        } finally {
            unit.controlWord = (unit.controlWord & ~0x0C00) | (saved & 0x0C00);
        }
    }

    /** A store with an unmasked IE, OE or UE leaves memory, ST(0) and TOP unchanged (SDM vol. 1, 8.5.4). */
    private boolean storeAllowed() {
        return (unit.exceptions & ~unit.controlWord & (IE | DE | OE | UE)) == 0;
    }

    private static int integerBits(MemoryFormat format) {
        return switch (format) {
            case INT16 -> 16;
            case INT32 -> 32;
            default -> 64;
        };
    }

    private static void writeInteger(FpuContext context, MemoryFormat format, long value) {
        switch (format) {
            case INT16 -> context.writeOperand(0, 2, (int) value);
            case INT32 -> context.writeOperand(0, 4, (int) value);
            default -> writeLong(context, 0, value);
        }
    }

    private void writeIndefinite(FpuContext context, MemoryFormat format) {
        switch (format) {
            case SINGLE -> context.writeOperand(0, 4, 0xFFC0_0000);
            case DOUBLE -> writeLong(context, 0, 0xFFF8_0000_0000_0000L);
            case EXTENDED -> {
                writeLong(context, 0, INDEFINITE_SIG);
                context.writeOperand(8, 2, INDEFINITE_SE);
            }
            case INT16, INT32, INT64 -> writeInteger(context, format, Long.MIN_VALUE >> (64 - integerBits(format)));
            case BCD -> {
                writeLong(context, 0, 0xC000_0000_0000_0000L);
                context.writeOperand(8, 2, 0xFFFF);
            }
        }
    }

    /**
     * #IS on an empty source register: with the invalid-operation exception masked, ST({@code register})
     * receives the indefinite QNaN (and the stack pops if the instruction pops); unmasked, the
     * destination and the stack stay as they were (SDM vol. 1, 8.5.1.1).
     */
    private void underflowInto(int register, boolean pop) {
        stackUnderflow();
        if (invalidMasked()) {
            write(register, INDEFINITE_SE, INDEFINITE_SIG);
            if (pop) {
                pop();
            }
        }
        finish();
    }

    /** FST/FSTP ST(i): a plain copy. */
    private void storeRegister(int i, boolean pop) {
        if (empty(0)) {
            underflowInto(i, pop);
            return;
        }
        write(i, se(0), sig(0));
        if (pop) {
            pop();
        }
        finish();
    }

    private void exchange(int i) {
        if (empty(0) || empty(i)) {
            stackUnderflow();
            if (!invalidMasked()) {
                finish();
                return;
            }
            if (empty(0)) {
                write(0, INDEFINITE_SE, INDEFINITE_SIG);
            }
            if (empty(i)) {
                write(i, INDEFINITE_SE, INDEFINITE_SIG);
            }
        }
        int se = se(0);
        long sig = sig(0);
        write(0, se(i), sig(i));
        write(i, se, sig);
        finish();
    }

    private void conditionalMove(int reg, boolean negated, int i, FpuContext context) {
        int flags = context.eflags();
        boolean condition = switch (reg) {
            case 0 -> (flags & EFLAGS_CF) != 0;
            case 1 -> (flags & EFLAGS_ZF) != 0;
            case 2 -> (flags & (EFLAGS_CF | EFLAGS_ZF)) != 0;
            default -> (flags & EFLAGS_PF) != 0;
        };
        if (negated) {
            condition = !condition;
        }
        if (empty(0) || empty(i)) {
            stackUnderflow();
            if (invalidMasked()) {
                write(0, INDEFINITE_SE, INDEFINITE_SIG);
            }
            finishKeepingC1();
            return;
        }
        if (condition) {
            write(0, se(i), sig(i));
        }
        finishKeepingC1();
    }

    // ---- comparisons ----------------------------------------------------------------------------------------

    private static int conditionFor(int relation) {
        return switch (relation) {
            case ExtendedArithmetic.LESS -> SW_C0;
            case ExtendedArithmetic.EQUAL -> SW_C3;
            case ExtendedArithmetic.GREATER -> 0;
            default -> SW_C0 | SW_C2 | SW_C3;
        };
    }

    /** FCOM/FUCOM ST(i) with {@code pops} pops afterwards (FCOMPP/FUCOMPP pop twice). */
    private void compareRegisters(int i, boolean unordered, int pops) {
        if (empty(0) || empty(i)) {
            stackUnderflow();
            setConditionCodes(conditionFor(ExtendedArithmetic.UNORDERED));
            if (invalidMasked()) {
                popTimes(pops);
            }
            finish();
            return;
        }
        int relation = unit.compare(se(0), sig(0), se(i), sig(i), unordered);
        setConditionCodes(conditionFor(relation));
        if (!resultSuppressed()) {
            popTimes(pops);
        }
        finish();
    }

    private void popTimes(int pops) {
        for (int n = 0; n < pops; n++) {
            pop();
        }
    }

    private void compareWith(int bSe, long bSig, boolean unordered, int pops) {
        if (empty(0)) {
            stackUnderflow();
            setConditionCodes(conditionFor(ExtendedArithmetic.UNORDERED));
            if (invalidMasked()) {
                popTimes(pops);
            }
            finish();
            return;
        }
        int relation = unit.compare(se(0), sig(0), bSe, bSig, unordered);
        setConditionCodes(conditionFor(relation));
        if (!resultSuppressed()) {
            popTimes(pops);
        }
        finish();
    }

    private void test() {
        compareWith(0, 0, false, 0);
    }

    /** FCOMI/FUCOMI(P): the relation goes to ZF, PF, CF; OF, SF and AF are cleared (SDM vol. 2, FCOMI). */
    private void compareToFlags(int i, boolean unordered, boolean pop, FpuContext context) {
        int relation;
        if (empty(0) || empty(i)) {
            stackUnderflow();
            relation = ExtendedArithmetic.UNORDERED;
        } else {
            relation = unit.compare(se(0), sig(0), se(i), sig(i), unordered);
        }
        int bits = switch (relation) {
            case ExtendedArithmetic.LESS -> EFLAGS_CF;
            case ExtendedArithmetic.EQUAL -> EFLAGS_ZF;
            case ExtendedArithmetic.GREATER -> 0;
            default -> EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF;
        };
        int cleared = EFLAGS_OF | EFLAGS_SF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF;
        context.setEflags((context.eflags() & ~cleared) | bits);
        if (pop && !resultSuppressed()) {
            pop();
        }
        finishKeepingC1();
    }

    private void examine() {
        int se = se(0);
        long sig = sig(0);
        int sign = (se & 0x8000) != 0 ? SW_C1 : 0;
        int codes;
        if (empty(0)) {
            codes = SW_C3 | SW_C0;
        } else {
            codes = switch (ExtendedArithmetic.classify(se, sig)) {
                case ExtendedArithmetic.UNSUPPORTED -> 0;
                case ExtendedArithmetic.QNAN, ExtendedArithmetic.SNAN -> SW_C0;
                case ExtendedArithmetic.NORMAL -> SW_C2;
                case ExtendedArithmetic.INFINITY -> SW_C2 | SW_C0;
                case ExtendedArithmetic.ZERO -> SW_C3;
                default -> SW_C3 | SW_C2;
            };
        }
        finish();
        status = (status & ~SW_CONDITION) | codes | sign;
    }

    // ---- transcendentals ------------------------------------------------------------------------------------

    /** F2XM1, FSIN, FCOS. The trigonometric ones report in C2 whether the argument was in range. */
    private void transcendentalUnary(int function) {
        boolean trigonometric = function != X87Transcendental.F2XM1;
        if (empty(0)) {
            underflowInto(0, false);
            if (trigonometric) {
                status &= ~SW_C2;
            }
            return;
        }
        boolean complete = transcendental.unary(function, se(0), sig(0));
        if (!resultSuppressed() && complete) {
            writeResult(0);
        }
        finish();
        if (trigonometric) {
            status = (status & ~SW_C2) | (complete ? 0 : SW_C2);
        }
    }

    private void transcendentalBinary(int function) {
        if (empty(0) || empty(1)) {
            stackUnderflow();
            if (invalidMasked()) {
                write(1, INDEFINITE_SE, INDEFINITE_SIG);
                pop();
            }
            finish();
            return;
        }
        transcendental.binary(function, se(1), sig(1), se(0), sig(0));
        if (!resultSuppressed()) {
            writeResult(1);
            pop();
        }
        finish();
    }

    /** FPTAN (pushes 1.0) and FSINCOS (pushes the cosine): ST(0) is replaced, then a value is pushed. */
    private void transcendentalPush(int function) {
        if (stackFaultReplacingAndPushing()) {
            status &= ~SW_C2;
            return;
        }
        boolean complete = transcendental.unary(function, se(0), sig(0));
        if (!resultSuppressed() && complete) {
            writeResult(0);
            push(transcendental.secondSignExponent, transcendental.secondSignificand);
        }
        finish();
        status = (status & ~SW_C2) | (complete ? 0 : SW_C2);
    }

    // ---- environment ----------------------------------------------------------------------------------------

    private void setControlWord(int value) {
        unit.controlWord = (value & 0x1F3F) | 0x0040;
    }

    /** Stores the 14- or 28-byte environment in the layout for the operand size and mode (SDM vol. 1, 8.1.10). */
    private int storeEnvironment(FpuContext context) {
        boolean wide = context.operandSize32();
        boolean protectedMode = context.protectedMode();
        int step = wide ? 4 : 2;
        int filler = wide ? 0xFFFF_0000 : 0;
        context.writeOperand(0, step, filler | unit.controlWord);
        context.writeOperand(step, step, filler | statusWord());
        context.writeOperand(2 * step, step, filler | tagWord());
        if (protectedMode) {
            context.writeOperand(3 * step, step, instructionOffset);
            context.writeOperand(4 * step, step,
                    (instructionSelector & 0xFFFF) | (wide ? (lastOpcode & 0x7FF) << 16 : 0));
            context.writeOperand(5 * step, step, operandOffset);
            context.writeOperand(6 * step, step, filler | (operandSelector & 0xFFFF));
        } else {
            int ip = (instructionSelector << 4) + instructionOffset;
            int dp = (operandSelector << 4) + operandOffset;
            if (wide) {
                context.writeOperand(12, 4, 0xFFFF_0000 | (ip & 0xFFFF));
                context.writeOperand(16, 4, ((ip >>> 16) << 12) | (lastOpcode & 0x7FF));
                context.writeOperand(20, 4, 0xFFFF_0000 | (dp & 0xFFFF));
                context.writeOperand(24, 4, (dp >>> 16) << 12);
            } else {
                context.writeOperand(6, 2, ip);
                context.writeOperand(8, 2, (((ip >>> 16) & 0xF) << 12) | (lastOpcode & 0x7FF));
                context.writeOperand(10, 2, dp);
                context.writeOperand(12, 2, ((dp >>> 16) & 0xF) << 12);
            }
        }
        return wide ? 28 : 14;
    }

    private int loadEnvironment(FpuContext context) {
        boolean wide = context.operandSize32();
        boolean protectedMode = context.protectedMode();
        int step = wide ? 4 : 2;
        setControlWord(context.readOperand(0, 2));
        int word = context.readOperand(step, 2);
        int tags = context.readOperand(2 * step, 2);
        if (protectedMode) {
            instructionOffset = context.readOperand(3 * step, step);
            int selectorAndOpcode = context.readOperand(4 * step, wide ? 4 : 2);
            instructionSelector = selectorAndOpcode & 0xFFFF;
            lastOpcode = wide ? (selectorAndOpcode >>> 16) & 0x7FF : lastOpcode;
            operandOffset = context.readOperand(5 * step, step);
            operandSelector = context.readOperand(6 * step, 2);
        } else if (wide) {
            int high = context.readOperand(16, 4);
            instructionSelector = 0;
            instructionOffset = (context.readOperand(12, 2) & 0xFFFF) | ((high >>> 12) & 0xFFFF) << 16;
            lastOpcode = high & 0x7FF;
            operandSelector = 0;
            operandOffset = (context.readOperand(20, 2) & 0xFFFF) | ((context.readOperand(24, 4) >>> 12) & 0xFFFF) << 16;
        } else {
            int high = context.readOperand(8, 2);
            instructionSelector = 0;
            instructionOffset = (context.readOperand(6, 2) & 0xFFFF) | ((high >>> 12) & 0xF) << 16;
            lastOpcode = high & 0x7FF;
            operandSelector = 0;
            operandOffset = (context.readOperand(10, 2) & 0xFFFF) | ((context.readOperand(12, 2) >>> 12) & 0xF) << 16;
        }
        status = word & ~(SW_ES | SW_BUSY | (7 << SW_TOP_SHIFT));
        top = (word >> SW_TOP_SHIFT) & 7;
        emptyMask = 0;
        for (int physical = 0; physical < 8; physical++) {
            if (((tags >> (2 * physical)) & 3) == TAG_EMPTY) {
                emptyMask |= 1 << physical;
            }
        }
        return wide ? 28 : 14;
    }

    /** FNSAVE: the environment, then ST(0)..ST(7) as 10-byte values; then FNINIT. */
    private void saveImage(FpuContext context) {
        int offset = storeEnvironment(context);
        for (int i = 0; i < 8; i++) {
            int p = physical(i);
            context.writeOperand(offset, 4, (int) significand[p]);
            context.writeOperand(offset + 4, 4, (int) (significand[p] >>> 32));
            context.writeOperand(offset + 8, 2, signExponent[p]);
            offset += 10;
        }
        reset();
    }

    private void restoreImage(FpuContext context) {
        int offset = loadEnvironment(context);
        for (int i = 0; i < 8; i++) {
            int p = physical(i);
            significand[p] = readLong(context, offset);
            signExponent[p] = context.readOperand(offset + 8, 2) & 0xFFFF;
            offset += 10;
        }
    }
}
