package org.vstation.cpu;

import static org.vstation.cpu.decode.Op.*;

import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;
import org.vstation.cpu.decode.HotForm;
import org.vstation.cpu.decode.Instruction;

/**
 * The semantics of every integer instruction, each written once for all
 * operand sizes (Intel SDM vol. 2). {@link #execute} runs one pre-decoded
 * instruction with EIP already pointing past it; a guest fault unwinds as a
 * {@link CpuException} and the caller restarts from {@link #instructionEip}.
 */
abstract class Interpreter extends SystemCpu {
    static final int ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7;

    /** REP string instructions yield after this many iterations so interrupts are not held off. */
    private static final int STRING_BATCH = 4096;

    /** Model-specific registers of the P6 family (SDM vol. 4, table 2-2 and the P6 table). */
    static final int MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_BIOS_SIGN_ID = 0x8B, MSR_SYSENTER_CS = 0x174,
            MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176;

    /** Linear address of the memory operand of a read-modify-write instruction. */
    private int updateLinear;

    int sysenterCs, sysenterEsp, sysenterEip;
    long tscOffset;
    final PerformanceCounters performanceCounters;

    Interpreter(PhysicalMemory memory, IoBus io, InterruptController interruptController, TimeSource clock) {
        super(memory, io, interruptController, clock);
        performanceCounters = new PerformanceCounters(clock::nanos, this::instructionsRetired);
    }

    // ---- hooks the run loop provides ---------------------------------------------------

    abstract void halt();

    /** Instructions completed since power on (the INST_RETIRED event). */
    abstract long instructionsRetired();

    /** IRET executed: NMIs are no longer blocked (SDM vol. 3, 6.7.1). */
    abstract void interruptReturnCompleted();

    /** STI / MOV SS / POP SS: no interrupt (or debug trap) until after the next instruction. */
    abstract void inhibitInterrupts();

    /** IF or TF may have changed: re-evaluate what is pending. */
    abstract void flagsChanged();

    abstract void escape(Instruction in);

    abstract void waitForFpu();

    abstract void writeCr0(int value);

    abstract void writeCr4(int value);

    abstract void invalidatePage(int linear);

    // ---- operands ----------------------------------------------------------------

    final int readE(Instruction in) {
        return in.mod == 3 ? reg(in.size, in.rm) : read(in.size, in.segment, effectiveAddress(in));
    }

    final void writeE(Instruction in, int value) {
        if (in.mod == 3) setReg(in.size, in.rm, value);
        else write(in.size, in.segment, effectiveAddress(in), value);
    }

    /** Reads a destination that will be written back, checking write access first. */
    final int readEForUpdate(Instruction in) {
        if (in.mod == 3) return reg(in.size, in.rm);
        updateLinear = writableLinear(in.size, in.segment, effectiveAddress(in));
        return readLinear(in.size, updateLinear);
    }

    final void writeEUpdate(Instruction in, int value) {
        if (in.mod == 3) setReg(in.size, in.rm, value);
        else writeLinear(in.size, updateLinear, value);
    }

    // ---- arithmetic ------------------------------------------------------------------

    final int alu(int op, int size, int a, int b) {
        int m = sizeMask(size);
        a &= m;
        b &= m;
        int r;
        switch (op) {
            case ALU_ADD -> {
                r = (a + b) & m;
                setLazy(LAZY_ADD, size, a, b, r);
                lazyCf = Integer.compareUnsigned(r, a) >>> 31;
            }
            case ALU_OR -> {
                r = a | b;
                setLogicFlags(size, r);
            }
            case ALU_ADC -> {
                int carry = cf() ? 1 : 0;
                r = (a + b + carry) & m;
                setLazy(LAZY_ADC, size, a, b, r);
                lazyCf = (Integer.compareUnsigned(r, a) - carry) >>> 31;
            }
            case ALU_SBB -> {
                int carry = cf() ? 1 : 0;
                r = (a - b - carry) & m;
                setLazy(LAZY_SBB, size, a, b, r);
                lazyCf = (Integer.compareUnsigned(a, b) - carry) >>> 31;
            }
            case ALU_AND -> {
                r = a & b;
                setLogicFlags(size, r);
            }
            case ALU_XOR -> {
                r = a ^ b;
                setLogicFlags(size, r);
            }
            default -> {
                r = (a - b) & m;
                setLazy(LAZY_SUB, size, a, b, r);
                lazyCf = Integer.compareUnsigned(a, b) >>> 31;
            }
        }
        return r;
    }

    final int incDec(int size, int value, boolean decrement) {
        // INC and DEC keep CF and replace every other arithmetic flag.
        lazyCf = cf() ? 1 : 0;
        int m = sizeMask(size);
        value &= m;
        int r = (decrement ? value - 1 : value + 1) & m;
        setLazy(decrement ? LAZY_DEC : LAZY_INC, size, value, 1, r);
        return r;
    }

    /** Result flags (SF, ZF, PF) from a value, with explicit CF/OF/AF. */
    final void setResultFlags(int size, int result, boolean carry, boolean overflow, boolean adjust) {
        int r = result & SIZE_MASK[size];
        setArithmeticFlags(parity(r) | (r == 0 ? ZF : 0) | ((r & SIGN_BIT[size]) != 0 ? SF : 0)
                | (carry ? CF : 0) | (overflow ? OF : 0) | (adjust ? AF : 0));
    }

    final void setCarryOverflow(boolean carry, boolean overflow) {
        materializeFlags();
        flags = (flags & ~(CF | OF)) | (carry ? CF : 0) | (overflow ? OF : 0);
    }

    /** Group 2 (ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR); the count is masked to 5 bits as on every CPU since the 286. */
    final int shift(int op, int size, int value, int count) {
        count &= 0x1F;
        int m = SIZE_MASK[size];
        value &= m;
        if (count == 0) {
            return value;
        }
        int bits = SIZE_BITS[size];
        int sign = SIGN_BIT[size];
        int r;
        switch (op) {
            case 0 -> { // ROL
                int n = count % bits;
                r = n == 0 ? value : ((value << n) | (value >>> (bits - n))) & m;
                boolean carry = (r & 1) != 0;
                setCarryOverflow(carry, ((r & sign) != 0) ^ carry);
            }
            case 1 -> { // ROR
                int n = count % bits;
                r = n == 0 ? value : ((value >>> n) | (value << (bits - n))) & m;
                setCarryOverflow((r & sign) != 0, ((r ^ (r << 1)) & sign) != 0);
            }
            case 2 -> { // RCL
                int n = count % (bits + 1);
                boolean carry = cf();
                r = value;
                for (int i = 0; i < n; i++) {
                    boolean out = (r & sign) != 0;
                    r = ((r << 1) | (carry ? 1 : 0)) & m;
                    carry = out;
                }
                setCarryOverflow(carry, ((r & sign) != 0) ^ carry);
            }
            case 3 -> { // RCR
                int n = count % (bits + 1);
                boolean carry = cf();
                r = value;
                for (int i = 0; i < n; i++) {
                    boolean out = (r & 1) != 0;
                    r = (r >>> 1) | (carry ? sign : 0);
                    carry = out;
                }
                setCarryOverflow(carry, ((r ^ (r << 1)) & sign) != 0);
            }
            case 4, 6 -> { // SHL / SAL
                boolean carry = count <= bits && ((value >>> (bits - count)) & 1) != 0;
                r = count >= bits ? 0 : (value << count) & m;
                setResultFlags(size, r, carry, ((r & sign) != 0) ^ carry, false);
            }
            case 5 -> { // SHR
                boolean carry = count <= bits && ((value >>> (count - 1)) & 1) != 0;
                r = count >= bits ? 0 : value >>> count;
                // OF is defined for a count of 1 (the operand's sign); for larger counts it comes from
                // the last one-bit step, as on the 286 (and always 0 then).
                setResultFlags(size, r, carry, ((value >>> (count - 1)) & sign) != 0, false);
            }
            default -> { // SAR
                int signed = (value << (32 - bits)) >> (32 - bits);
                boolean carry = ((signed >> Math.min(count - 1, 31)) & 1) != 0;
                r = (signed >> Math.min(count, 31)) & m;
                setResultFlags(size, r, carry, false, false);
            }
        }
        return r;
    }

    /** SHLD/SHRD (SDM vol. 2): {@code fill} supplies the bits shifted in. */
    final int doubleShift(int size, int value, int fill, int count, boolean left) {
        count &= 0x1F;
        int m = SIZE_MASK[size];
        value &= m;
        fill &= m;
        if (count == 0) {
            return value;
        }
        int bits = SIZE_BITS[size];
        int sign = SIGN_BIT[size];
        long r;
        boolean carry;
        if (bits == 32) {
            long wide = left ? ((value & 0xFFFF_FFFFL) << 32 | (fill & 0xFFFF_FFFFL)) : ((fill & 0xFFFF_FFFFL) << 32 | (value & 0xFFFF_FFFFL));
            if (left) {
                carry = ((wide >>> (64 - count)) & 1) != 0;
                r = (wide << count) >>> 32;
            } else {
                carry = ((wide >>> (count - 1)) & 1) != 0;
                r = wide >>> count;
            }
        } else {
            // 16-bit counts above 16 are undefined; the operands then repeat as value:fill:value.
            if (left) {
                long wide = (long) value << 32 | (long) fill << 16 | value;
                carry = ((wide >>> (48 - count)) & 1) != 0;
                r = (wide << count) >>> 32;
            } else {
                long wide = (long) value << 32 | (long) fill << 16 | value;
                carry = ((wide >>> (count - 1)) & 1) != 0;
                r = wide >>> count;
            }
        }
        int result = (int) r & m;
        setResultFlags(size, result, carry, ((result ^ value) & sign) != 0, false);
        return result;
    }

    // ---- I/O permission (SDM vol. 1, 18.5) --------------------------------------------------

    final void checkIoPermission(int port, int bytes) {
        if (!protectedMode() || (!v86Mode() && cpl <= iopl())) {
            return;
        }
        boolean tss32 = (taskRegister.attributes & 8) != 0;
        if (!tss32 || taskRegister.limit < 0x67) throw raise(GP, 0);
        int bitmapBase = readSystem16(taskRegister.base + 0x66);
        int byteOffset = bitmapBase + (port >>> 3);
        if (byteOffset + 1 > taskRegister.limit) throw raise(GP, 0);
        int bitsWord = readSystem16(taskRegister.base + byteOffset);
        int mask = ((1 << bytes) - 1) << (port & 7);
        if ((bitsWord & mask) != 0) throw raise(GP, 0);
    }

    final int portIn(int port, int size) {
        int bytes = SIZE_BYTES[size];
        checkIoPermission(port, bytes);
        return io.read(port, bytes) & SIZE_MASK[size];
    }

    final void portOut(int port, int size, int value) {
        int bytes = SIZE_BYTES[size];
        checkIoPermission(port, bytes);
        io.write(port, bytes, value & SIZE_MASK[size]);
    }

    // ---- control transfer helpers -----------------------------------------------------------

    /** Near branch: truncates to the operand size and checks the CS limit before committing. */
    final void jumpNear(Instruction in, int target) {
        if (!in.operandSize32) target &= 0xFFFF;
        checkCodeLimit(target);
        eip = target;
    }

    final void requireProtectedMode() {
        if (!protectedMode() || v86Mode()) throw raise(UD);
    }

    final void requireRing0() {
        if (protectedMode() && (cpl != 0 || v86Mode())) throw raise(GP, 0);
    }

    final int stringCountMask(Instruction in) {
        return in.addressSize32 ? -1 : 0xFFFF;
    }

    final int indexRegister(Instruction in, int r) {
        return in.addressSize32 ? regs[r] : regs[r] & 0xFFFF;
    }

    final void advanceIndex(Instruction in, int r, int delta) {
        if (in.addressSize32) regs[r] += delta;
        else regs[r] = (regs[r] & 0xFFFF_0000) | ((regs[r] + delta) & 0xFFFF);
    }

    final int count(Instruction in) {
        return regs[ECX] & stringCountMask(in);
    }

    final void setCount(Instruction in, int value) {
        if (in.addressSize32) regs[ECX] = value;
        else regs[ECX] = (regs[ECX] & 0xFFFF_0000) | (value & 0xFFFF);
    }

    /**
     * One pass of a string instruction: all iterations, or a batch after which
     * EIP is rewound so the instruction resumes (interrupts can come in between).
     */
    private void stringOp(Instruction in) {
        int bytes = SIZE_BYTES[in.size];
        int delta = (flags & DF) != 0 ? -bytes : bytes;
        if (in.repeat == 0) {
            stringStep(in, delta);
            return;
        }
        boolean conditional = in.op == CMPS || in.op == SCAS;
        for (int i = 0; i < STRING_BATCH; i++) {
            if (count(in) == 0) {
                return;
            }
            stringStep(in, delta);
            setCount(in, count(in) - 1);
            if (conditional && (zf() != (in.repeat == 0xF3))) {
                return;
            }
        }
        if (count(in) != 0) {
            eip = instructionEip;
        }
    }

    private void stringStep(Instruction in, int delta) {
        int size = in.size;
        switch (in.op) {
            case MOVS -> {
                int value = read(size, in.segment, indexRegister(in, ESI));
                write(size, ES, indexRegister(in, EDI), value);
                advanceIndex(in, ESI, delta);
                advanceIndex(in, EDI, delta);
            }
            case CMPS -> {
                int a = read(size, in.segment, indexRegister(in, ESI));
                int b = read(size, ES, indexRegister(in, EDI));
                alu(ALU_CMP, size, a, b);
                advanceIndex(in, ESI, delta);
                advanceIndex(in, EDI, delta);
            }
            case STOS -> {
                write(size, ES, indexRegister(in, EDI), regs[EAX]);
                advanceIndex(in, EDI, delta);
            }
            case LODS -> {
                setReg(size, EAX, read(size, in.segment, indexRegister(in, ESI)));
                advanceIndex(in, ESI, delta);
            }
            case SCAS -> {
                int b = read(size, ES, indexRegister(in, EDI));
                alu(ALU_CMP, size, reg(size, EAX), b);
                advanceIndex(in, EDI, delta);
            }
            case INS -> {
                int port = regs[EDX] & 0xFFFF;
                checkIoPermission(port, SIZE_BYTES[size]);
                int offset = indexRegister(in, EDI);
                linear(ES, offset, SIZE_BYTES[size], true);
                write(size, ES, offset, portIn(port, size));
                advanceIndex(in, EDI, delta);
            }
            default -> { // OUTS
                int value = read(size, in.segment, indexRegister(in, ESI));
                portOut(regs[EDX] & 0xFFFF, size, value);
                advanceIndex(in, ESI, delta);
            }
        }
    }

    // ---- the instructions ---------------------------------------------------------------------

    /**
     * Runs one instruction. The hot forms ({@link HotForm}) go straight to
     * their handlers; any other instruction takes {@link #executeGeneral}.
     * Kept small: C2 inlines it into a block loop that runs one kind of code,
     * and where it is compiled on its own (mixed code), the loop that calls it
     * stays small and this switch gets its handlers inlined.
     */
    final void execute(Instruction in) {
        switch (in.hotForm) {
            case HotForm.ALU32_RM_REG -> aluRmRegister32(in);
            case HotForm.ALU32_REG_RM -> aluRegisterRm32(in);
            case HotForm.ALU32_RM_IMM -> aluRmImmediate32(in);
            case HotForm.ALU32_REG_MEM -> aluRegisterMemory32(in);
            case HotForm.TEST32_RM_REG -> testRegisters32(in);
            case HotForm.INC32_REG -> incrementRegister32(in);
            case HotForm.DEC32_REG -> decrementRegister32(in);
            case HotForm.MOV32_RM_REG -> moveRmRegister32(in);
            case HotForm.MOV32_REG_RM -> moveRegisterRm32(in);
            case HotForm.MOV32_LOAD -> load32(in);
            case HotForm.MOV32_STORE -> store32(in);
            case HotForm.MOV32_REG_IMM -> moveImmediate32(in);
            case HotForm.LEA32 -> loadEffectiveAddress32(in);
            case HotForm.JCC -> jumpIfCondition(in);
            case HotForm.JMP_REL -> jumpRelative(in);
            case HotForm.PUSH32_REG -> pushRegister32(in);
            case HotForm.POP32_REG -> popRegister32(in);
            case HotForm.CALL32_REL -> callRelative32(in);
            case HotForm.RET32_NEAR -> returnNear32(in);
            default -> executeGeneral(in);
        }
    }

    // ---- the hot forms (HotForm): 32-bit operands, ModR/M mode known at decode time -------------
    // Each handler stays within C2's MaxInlineSize (35 bytecodes), so it is inlined into execute()
    // even where its form is a small share of the instructions; the helpers it calls are hot
    // relative to it and inlined too.

    private void aluRmRegister32(Instruction in) {
        aluIntoRegister32((in.opcode >>> 3) & 7, in.rm, regs[in.reg]);
    }

    private void aluRegisterRm32(Instruction in) {
        aluIntoRegister32((in.opcode >>> 3) & 7, in.reg, regs[in.rm]);
    }

    private void aluRmImmediate32(Instruction in) {
        aluIntoRegister32(in.reg, in.rm, in.immediate);
    }

    private void aluRegisterMemory32(Instruction in) {
        aluIntoRegister32((in.opcode >>> 3) & 7, in.reg, read32(in.segment, effectiveAddress(in)));
    }

    /** A 32-bit ALU operation whose destination is a register; CMP only sets the flags. */
    private void aluIntoRegister32(int op, int destination, int source) {
        int r = alu(op, 2, regs[destination], source);
        if (op != ALU_CMP) regs[destination] = r;
    }

    private void testRegisters32(Instruction in) {
        alu(ALU_AND, 2, regs[in.rm], regs[in.reg]);
    }

    private void incrementRegister32(Instruction in) {
        int r = in.opcode & 7;
        regs[r] = incDec(2, regs[r], false);
    }

    private void decrementRegister32(Instruction in) {
        int r = in.opcode & 7;
        regs[r] = incDec(2, regs[r], true);
    }

    private void moveRmRegister32(Instruction in) {
        regs[in.rm] = regs[in.reg];
    }

    private void moveRegisterRm32(Instruction in) {
        regs[in.reg] = regs[in.rm];
    }

    private void load32(Instruction in) {
        regs[in.reg] = read32(in.segment, effectiveAddress(in));
    }

    private void store32(Instruction in) {
        write32(in.segment, effectiveAddress(in), regs[in.reg]);
    }

    private void moveImmediate32(Instruction in) {
        regs[in.opcode & 7] = in.immediate;
    }

    private void loadEffectiveAddress32(Instruction in) {
        regs[in.reg] = effectiveAddress(in);
    }

    private void pushRegister32(Instruction in) {
        push(2, regs[in.opcode & 7]);
    }

    private void popRegister32(Instruction in) {
        int value = peek(2, 0);
        setStackPointer(stackPointer() + 4);
        regs[in.opcode & 7] = value;
    }

    private void callRelative32(Instruction in) {
        callNear(2, eip + in.immediate);
    }

    private void returnNear32(Instruction in) {
        returnNear(2, in.immediate & 0xFFFF);
    }

    /** Runs one instruction of any form: the dispatch on {@link Instruction#op}. */
    private void executeGeneral(Instruction in) {
        int size = in.size;
        switch (in.op) {
            case ALU_EG -> aluModrmDestination(in);
            case ALU_GE -> aluRegisterDestination(in);
            case ALU_AI -> aluAccumulator(in);
            case ALU_EI -> aluImmediate(in);
            case TEST_EG -> testModrm(in);
            case TEST_EI -> alu(ALU_AND, size, readE(in), in.immediate);
            case TEST_AI -> alu(ALU_AND, size, reg(size, EAX), in.immediate);
            case INC_R -> incrementRegister(in);
            case DEC_R -> decrementRegister(in);
            case INC_E -> writeEUpdate(in, incDec(size, readEForUpdate(in), false));
            case DEC_E -> writeEUpdate(in, incDec(size, readEForUpdate(in), true));
            case NOT -> writeEUpdate(in, ~readEForUpdate(in));
            case NEG -> writeEUpdate(in, alu(ALU_SUB, size, 0, readEForUpdate(in)));
            case MUL -> multiply(in, readE(in), false);
            case IMUL_1 -> multiply(in, readE(in), true);
            case DIV -> divide(in, readE(in), false);
            case IDIV -> divide(in, readE(in), true);
            case IMUL_GE -> setReg(size, in.reg, imulTruncated(size, reg(size, in.reg), readE(in)));
            case IMUL_GEI -> setReg(size, in.reg, imulTruncated(size, readE(in), in.immediate));
            case SHIFT_I -> writeEUpdate(in, shift(in.reg, size, readEForUpdate(in), in.immediate));
            case SHIFT_1 -> writeEUpdate(in, shift(in.reg, size, readEForUpdate(in), 1));
            case SHIFT_CL -> writeEUpdate(in, shift(in.reg, size, readEForUpdate(in), regs[ECX] & 0xFF));
            case SHLD_I -> writeEUpdate(in, doubleShift(size, readEForUpdate(in), reg(size, in.reg), in.immediate, true));
            case SHLD_CL -> writeEUpdate(in, doubleShift(size, readEForUpdate(in), reg(size, in.reg), regs[ECX], true));
            case SHRD_I -> writeEUpdate(in, doubleShift(size, readEForUpdate(in), reg(size, in.reg), in.immediate, false));
            case SHRD_CL -> writeEUpdate(in, doubleShift(size, readEForUpdate(in), reg(size, in.reg), regs[ECX], false));

            case DAA -> decimalAdjust(false);
            case DAS -> decimalAdjust(true);
            case AAA -> asciiAdjust(false);
            case AAS -> asciiAdjust(true);
            case AAM -> {
                int base = in.immediate & 0xFF;
                if (base == 0) throw raise(DE);
                int al = regs[EAX] & 0xFF;
                int result = (al / base) << 8 | (al % base);
                setReg(1, EAX, result);
                setResultFlags(0, result, false, false, false);
            }
            case AAD -> {
                int base = in.immediate & 0xFF;
                int result = ((regs[EAX] & 0xFF) + ((regs[EAX] >>> 8) & 0xFF) * base) & 0xFF;
                setReg(1, EAX, result);
                setResultFlags(0, result, false, false, false);
            }
            case SALC -> setReg(0, EAX, cf() ? 0xFF : 0);
            case CBW -> {
                if (size == 2) regs[EAX] = (short) regs[EAX];
                else setReg(1, EAX, (byte) regs[EAX]);
            }
            case CWD -> {
                if (size == 2) regs[EDX] = regs[EAX] >> 31;
                else setReg(1, EDX, ((short) regs[EAX]) >> 15);
            }

            case MOV_EG -> moveToModrm(in);
            case MOV_GE -> moveToRegister(in);
            case MOV_EI -> writeE(in, in.immediate);
            case MOV_RI -> moveImmediateToRegister(in);
            case MOV_A_MOFFS -> setReg(size, EAX, read(size, in.segment, in.addressSize32 ? in.displacement : in.displacement & 0xFFFF));
            case MOV_MOFFS_A -> write(size, in.segment, in.addressSize32 ? in.displacement : in.displacement & 0xFFFF, regs[EAX]);
            case LEA -> loadEffectiveAddress(in);
            case XCHG_EG -> {
                int value = readEForUpdate(in);
                writeEUpdate(in, reg(size, in.reg));
                setReg(size, in.reg, value);
            }
            case XCHG_AR -> {
                int r = in.opcode & 7;
                int value = reg(size, r);
                setReg(size, r, reg(size, EAX));
                setReg(size, EAX, value);
            }
            case NOP -> { }
            case MOV_E_SEG -> {
                if (in.reg > 5) throw raise(UD);
                int selector = segments[in.reg].selector;
                if (in.mod == 3) setReg(size, in.rm, selector);
                else write16(in.segment, effectiveAddress(in), selector);
            }
            case MOV_SEG_E -> {
                if (in.reg > 5 || in.reg == CS) throw raise(UD);
                loadSegment(in.reg, readE(in));
                if (in.reg == SS) inhibitInterrupts();
            }
            case LOAD_FAR_POINTER -> {
                int segment = switch (in.opcode) {
                    case 0xC4 -> ES;
                    case 0xC5 -> DS;
                    case 0x1B2 -> SS;
                    case 0x1B4 -> FS;
                    default -> GS;
                };
                int offset = effectiveAddress(in);
                int pointer = read(size, in.segment, offset);
                int selector = read16(in.segment, offset + SIZE_BYTES[size]);
                loadSegment(segment, selector);
                setReg(size, in.reg, pointer);
            }
            case MOVZX -> {
                int value = (in.opcode & 1) == 0 ? readSourceByte(in) : readSourceWord(in);
                setReg(size, in.reg, value);
            }
            case MOVSX -> {
                int value = (in.opcode & 1) == 0 ? (byte) readSourceByte(in) : (short) readSourceWord(in);
                setReg(size, in.reg, value);
            }
            case CMOV -> {
                int value = readE(in);
                if (condition(in.opcode & 0xF)) setReg(size, in.reg, value);
            }
            case SETCC -> writeE(in, condition(in.opcode & 0xF) ? 1 : 0);
            case XLAT -> {
                int offset = (in.addressSize32 ? regs[EBX] : regs[EBX] & 0xFFFF) + (regs[EAX] & 0xFF);
                setReg(0, EAX, read8(in.segment, in.addressSize32 ? offset : offset & 0xFFFF));
            }
            case BSWAP -> {
                int r = in.opcode & 7;
                if (size == 2) regs[r] = Integer.reverseBytes(regs[r]);
                else setReg(1, r, 0);
            }

            case PUSH_R -> pushRegister(in);
            case POP_R -> popRegister(in);
            case PUSH_I -> push(size, in.immediate);
            case PUSH_E -> push(size, readE(in));
            case POP_E -> {
                // The address is computed with ESP already incremented (SDM vol. 2, POP).
                int value = peek(size, 0);
                int oldSp = regs[ESP];
                setStackPointer(stackPointer() + SIZE_BYTES[size]);
                try {
                    writeE(in, value);
                } catch (CpuException e) {
                    regs[ESP] = oldSp;
                    throw e;
                }
            }
            case PUSH_SEG -> pushSegment(size, segments[(in.opcode >>> 3) & 7].selector);
            case POP_SEG -> {
                int segment = (in.opcode >>> 3) & 7;
                int selector = peek(size, 0) & 0xFFFF;
                loadSegment(segment, selector);
                setStackPointer(stackPointer() + SIZE_BYTES[size]);
                if (segment == SS) inhibitInterrupts();
            }
            case PUSHA -> {
                int bytes = SIZE_BYTES[size];
                checkStackRoom(8, bytes);
                int sp = regs[ESP];
                for (int r = 0; r < 8; r++) push(size, r == ESP ? sp : regs[r]);
            }
            case POPA -> {
                int bytes = SIZE_BYTES[size];
                int[] values = new int[8];
                for (int r = 7; r >= 0; r--) values[r] = peek(size, (7 - r) * bytes);
                for (int r = 7; r >= 0; r--) {
                    if (r != ESP) setReg(size, r, values[r]);
                }
                setStackPointer(stackPointer() + 8 * bytes);
            }
            case PUSHF -> {
                if (v86Mode() && iopl() < 3) throw raise(GP, 0);
                push(size, eflags() & ~(VM | RF));
            }
            case POPF -> {
                if (v86Mode() && iopl() < 3) throw raise(GP, 0);
                int value = peek(size, 0);
                int changeable = WRITABLE_FLAGS & ~(VM | RF | VIP | VIF);
                if (protectedMode()) {
                    if (cpl > 0) changeable &= ~IOPL;
                    if (cpl > iopl()) changeable &= ~IF;
                }
                if (size == 1) changeable &= 0xFFFF;
                setStackPointer(stackPointer() + SIZE_BYTES[size]);
                setEflags(value, changeable);
                flagsChanged();
            }
            case SAHF -> setArithmeticFlags((eflags() & ~0xD5) | ((regs[EAX] >>> 8) & 0xD5));
            case LAHF -> setReg(0, 4, eflags() & 0xFF);
            case ENTER -> enter(in);
            case LEAVE -> {
                int framePointer = stack32 ? regs[EBP] : regs[EBP] & 0xFFFF;
                int value = size == 2 ? read32(SS, framePointer) : read16(SS, framePointer);
                setStackPointer(framePointer + SIZE_BYTES[size]);
                setReg(size, EBP, value);
            }
            case BOUND -> {
                int offset = effectiveAddress(in);
                int index = reg(size, in.reg);
                int lower;
                int upper;
                if (size == 2) {
                    lower = read32(in.segment, offset);
                    upper = read32(in.segment, offset + 4);
                } else {
                    index = (short) index;
                    lower = (short) read16(in.segment, offset);
                    upper = (short) read16(in.segment, (offset + 2) & (in.addressSize32 ? -1 : 0xFFFF));
                }
                if (index < lower || index > upper) throw raise(BR);
            }

            case JCC -> jumpIfCondition(in);
            case JMP_REL -> jumpRelative(in);
            case CALL_REL -> callRelative(in);
            case JMP_E -> jumpNear(in, readE(in));
            case CALL_E -> {
                int target = readE(in);
                callNear(size, in.operandSize32 ? target : target & 0xFFFF);
            }
            case RET_NEAR -> returnNear(in);
            case LOOP, LOOPE, LOOPNE -> {
                int count = (count(in) - 1) & stringCountMask(in);
                boolean taken = count != 0 && (in.op == LOOP || (in.op == LOOPE) == zf());
                if (taken) {
                    int target = eip + in.immediate;
                    if (!in.operandSize32) target &= 0xFFFF;
                    checkCodeLimit(target);
                    eip = target;
                }
                setCount(in, count);
            }
            case JCXZ -> {
                if (count(in) == 0) jumpNear(in, eip + in.immediate);
            }
            case JMP_FAR -> farJump(in.immediate2, in.immediate, size);
            case CALL_FAR -> farCall(in.immediate2, in.immediate, size);
            case JMP_FAR_E, CALL_FAR_E -> {
                int offset = effectiveAddress(in);
                int target = read(size, in.segment, offset);
                int selector = read16(in.segment, offset + SIZE_BYTES[size]);
                if (in.op == JMP_FAR_E) farJump(selector, target, size);
                else farCall(selector, target, size);
            }
            case RET_FAR -> farReturn(size, in.immediate & 0xFFFF);
            case IRET -> {
                interruptReturn(size);
                interruptReturnCompleted();
                flagsChanged();
            }
            case INT3 -> softwareInterrupt(BP, false);
            case INT_I -> softwareInterrupt(in.immediate & 0xFF, true);
            case INTO -> {
                if (of()) softwareInterrupt(OF_VECTOR, false);
            }
            case INT1 -> deliverInterrupt(DB, CpuException.NO_ERROR_CODE, false, false);

            case MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS -> stringOp(in);
            case IN_I -> setReg(size, EAX, portIn(in.immediate & 0xFF, size));
            case OUT_I -> portOut(in.immediate & 0xFF, size, regs[EAX]);
            case IN_DX -> setReg(size, EAX, portIn(regs[EDX] & 0xFFFF, size));
            case OUT_DX -> portOut(regs[EDX] & 0xFFFF, size, regs[EAX]);

            case CLC -> setCarry(false);
            case STC -> setCarry(true);
            case CMC -> setCarry(!cf());
            case CLD -> flags &= ~DF;
            case STD -> flags |= DF;
            case CLI -> {
                checkInterruptFlagAccess();
                flags &= ~IF;
            }
            case STI -> {
                checkInterruptFlagAccess();
                if ((flags & IF) == 0) {
                    flags |= IF;
                    inhibitInterrupts();
                }
                flagsChanged();
            }
            case HLT -> {
                requireRing0();
                halt();
            }
            case WAIT -> waitForFpu();
            case ESC -> escape(in);

            case BT, BTS, BTR, BTC -> bitTest(in, in.op - BT, reg(size, in.reg), true);
            case BT_I -> bitTest(in, in.reg - 4, in.immediate & 0xFF, false);
            case BSF, BSR -> {
                int value = readE(in) & SIZE_MASK[size];
                materializeFlags();
                if (value == 0) {
                    flags |= ZF;
                } else {
                    flags &= ~ZF;
                    setReg(size, in.reg, in.op == BSF ? Integer.numberOfTrailingZeros(value) : 31 - Integer.numberOfLeadingZeros(value));
                }
            }
            case XADD -> {
                int dest = readEForUpdate(in);
                int sum = alu(ALU_ADD, size, dest, reg(size, in.reg));
                setReg(size, in.reg, dest);
                writeEUpdate(in, sum);
            }
            case CMPXCHG -> {
                int dest = readEForUpdate(in);
                alu(ALU_CMP, size, reg(size, EAX), dest);
                if (zf()) {
                    writeEUpdate(in, reg(size, in.reg));
                } else {
                    writeEUpdate(in, dest);
                    setReg(size, EAX, dest);
                }
            }
            case CMPXCHG8B -> {
                int offset = effectiveAddress(in);
                int low = read32(in.segment, offset);
                int high = read32(in.segment, offset + 4);
                linear(in.segment, offset, 8, true);
                materializeFlags();
                if (low == regs[EAX] && high == regs[EDX]) {
                    write32(in.segment, offset, regs[EBX]);
                    write32(in.segment, offset + 4, regs[ECX]);
                    flags |= ZF;
                } else {
                    write32(in.segment, offset, low);
                    write32(in.segment, offset + 4, high);
                    regs[EAX] = low;
                    regs[EDX] = high;
                    flags &= ~ZF;
                }
            }

            case CPUID -> cpuid();
            case RDTSC -> {
                if ((cr4 & CR4_TSD) != 0 && protectedMode() && cpl != 0) throw raise(GP, 0);
                long tsc = timeStampCounter();
                regs[EAX] = (int) tsc;
                regs[EDX] = (int) (tsc >>> 32);
            }
            case RDMSR -> {
                requireRing0();
                long value = readMsr(regs[ECX]);
                regs[EAX] = (int) value;
                regs[EDX] = (int) (value >>> 32);
            }
            case WRMSR -> {
                requireRing0();
                writeMsr(regs[ECX], (regs[EAX] & 0xFFFF_FFFFL) | (long) regs[EDX] << 32);
            }
            case RDPMC -> {
                // SDM vol. 2, RDPMC: outside ring 0 only with CR4.PCE (Linux sets it for tasks that map perf events).
                if ((cr4 & CR4_PCE) == 0 && protectedMode() && cpl != 0) throw raise(GP, 0);
                if (regs[ECX] != 0 && regs[ECX] != 1) throw raise(GP, 0);
                long counter = performanceCounters.read(PerformanceCounters.MSR_PERFCTR0 + regs[ECX]);
                regs[EAX] = (int) counter;
                regs[EDX] = (int) (counter >>> 32);
            }
            case SYSENTER -> sysenter();
            case SYSEXIT -> sysexit();
            case INVD, WBINVD -> requireRing0();
            case CLTS -> {
                requireRing0();
                cr0 &= ~CR0_TS;
            }
            case MOV_R_CR -> {
                requireRing0();
                regs[in.rm] = switch (in.reg) {
                    case 0 -> cr0;
                    case 2 -> cr2;
                    case 3 -> cr3;
                    case 4 -> cr4;
                    default -> throw raise(UD);
                };
            }
            case MOV_CR_R -> {
                requireRing0();
                int value = regs[in.rm];
                switch (in.reg) {
                    case 0 -> writeCr0(value);
                    case 2 -> cr2 = value;
                    case 3 -> writeCr3(value);
                    case 4 -> writeCr4(value);
                    default -> throw raise(UD);
                }
            }
            case MOV_R_DR -> {
                requireRing0();
                regs[in.rm] = readDebugRegister(in.reg);
            }
            case MOV_DR_R -> {
                requireRing0();
                writeDebugRegister(in.reg, regs[in.rm]);
            }
            case SGDT, SIDT -> {
                int offset = effectiveAddress(in);
                int base = in.op == SGDT ? gdtBase : idtBase;
                int limit = in.op == SGDT ? gdtLimit : idtLimit;
                linear(in.segment, offset, 6, true);
                write16(in.segment, offset, limit);
                write32(in.segment, offset + 2, in.operandSize32 ? base : base & 0x00FF_FFFF);
            }
            case LGDT, LIDT -> {
                requireRing0();
                int offset = effectiveAddress(in);
                int limit = read16(in.segment, offset);
                int base = read32(in.segment, offset + 2);
                if (!in.operandSize32) base &= 0x00FF_FFFF;
                if (in.op == LGDT) {
                    gdtBase = base;
                    gdtLimit = limit;
                } else {
                    idtBase = base;
                    idtLimit = limit;
                }
            }
            case SMSW -> {
                if (in.mod == 3) setReg(size, in.rm, cr0);
                else write16(in.segment, effectiveAddress(in), cr0);
            }
            case LMSW -> {
                requireRing0();
                int value = readE(in);
                // LMSW sets PE but never clears it, and touches only PE, MP, EM and TS (SDM vol. 2, LMSW).
                writeCr0((cr0 & ~0xE) | (value & 0xF) | (cr0 & CR0_PE));
            }
            case INVLPG -> {
                requireRing0();
                invalidatePage(segments[in.segment].base + effectiveAddress(in));
            }
            case SLDT -> {
                requireProtectedMode();
                writeSelector(in, ldtr.selector);
            }
            case STR -> {
                requireProtectedMode();
                writeSelector(in, taskRegister.selector);
            }
            case LLDT -> {
                requireProtectedMode();
                requireRing0();
                loadLdt(readE(in) & 0xFFFF);
            }
            case LTR -> {
                requireProtectedMode();
                requireRing0();
                loadTaskRegister(readE(in) & 0xFFFF);
            }
            case VERR, VERW -> {
                requireProtectedMode();
                verify(readE(in) & 0xFFFF, in.op == VERW);
            }
            case LAR, LSL -> {
                requireProtectedMode();
                int selector = readSourceWord(in);
                loadAccessRightsOrLimit(in, selector);
            }
            case ARPL -> {
                requireProtectedMode();
                int dest = readEForUpdate(in);
                int src = reg(1, in.reg);
                materializeFlags();
                if ((dest & 3) < (src & 3)) {
                    writeEUpdate(in, (dest & ~3) | (src & 3));
                    flags |= ZF;
                } else {
                    flags &= ~ZF;
                }
            }
            case TOO_LONG -> throw raise(GP, 0);
            default -> throw raise(UD);
        }
    }

    private void aluModrmDestination(Instruction in) {
        int size = in.size;
        int op = (in.opcode >>> 3) & 7;
        int src = reg(size, in.reg);
        if (op == ALU_CMP) {
            alu(op, size, readE(in), src);
        } else {
            writeEUpdate(in, alu(op, size, readEForUpdate(in), src));
        }
    }

    private void aluRegisterDestination(Instruction in) {
        int size = in.size;
        int op = (in.opcode >>> 3) & 7;
        int r = alu(op, size, reg(size, in.reg), readE(in));
        if (op != ALU_CMP) setReg(size, in.reg, r);
    }

    private void aluAccumulator(Instruction in) {
        int size = in.size;
        int op = (in.opcode >>> 3) & 7;
        int r = alu(op, size, reg(size, EAX), in.immediate);
        if (op != ALU_CMP) setReg(size, EAX, r);
    }

    private void aluImmediate(Instruction in) {
        int size = in.size;
        int op = in.reg;
        if (op == ALU_CMP) {
            alu(op, size, readE(in), in.immediate);
        } else {
            writeEUpdate(in, alu(op, size, readEForUpdate(in), in.immediate));
        }
    }

    private void testModrm(Instruction in) {
        int size = in.size;
        alu(ALU_AND, size, readE(in), reg(size, in.reg));
    }

    private void incrementRegister(Instruction in) {
        int r = in.opcode & 7;
        if (in.size == 2) regs[r] = incDec(2, regs[r], false);
        else setReg(1, r, incDec(1, regs[r], false));
    }

    private void decrementRegister(Instruction in) {
        int r = in.opcode & 7;
        if (in.size == 2) regs[r] = incDec(2, regs[r], true);
        else setReg(1, r, incDec(1, regs[r], true));
    }

    private void moveToModrm(Instruction in) {
        int size = in.size;
        writeE(in, reg(size, in.reg));
    }

    private void moveToRegister(Instruction in) {
        int size = in.size;
        setReg(size, in.reg, readE(in));
    }

    private void moveImmediateToRegister(Instruction in) {
        int size = in.size;
        setReg(size, in.opcode & 7, in.immediate);
    }

    private void loadEffectiveAddress(Instruction in) {
        int size = in.size;
        setReg(size, in.reg, effectiveAddress(in));
    }

    private void pushRegister(Instruction in) {
        int size = in.size;
        push(size, regs[in.opcode & 7]);
    }

    private void popRegister(Instruction in) {
        int size = in.size;
        int value = peek(size, 0);
        setStackPointer(stackPointer() + SIZE_BYTES[size]);
        setReg(size, in.opcode & 7, value);
    }

    private void jumpIfCondition(Instruction in) {
        if (condition(in.opcode & 0xF)) jumpNear(in, eip + in.immediate);
    }

    private void jumpRelative(Instruction in) {
        jumpNear(in, eip + in.immediate);
    }

    private void callRelative(Instruction in) {
        int target = eip + in.immediate;
        callNear(in.size, in.operandSize32 ? target : target & 0xFFFF);
    }

    /** Near CALL to a target already truncated to the operand size: CS limit check, then the return address is pushed. */
    private void callNear(int size, int target) {
        checkCodeLimit(target);
        push(size, eip);
        eip = target;
    }

    private void returnNear(Instruction in) {
        returnNear(in.size, in.immediate & 0xFFFF);
    }

    /** Near RET of the operand size, releasing {@code release} more bytes of parameters. */
    private void returnNear(int size, int release) {
        int target = peek(size, 0);
        if (size == 1) target &= 0xFFFF;
        checkCodeLimit(target);
        setStackPointer(stackPointer() + (size == 2 ? 4 : 2) + release);
        eip = target;
    }

    private int readSourceByte(Instruction in) {
        if (in.mod == 3) return reg(0, in.rm);
        return read8(in.segment, effectiveAddress(in));
    }

    private int readSourceWord(Instruction in) {
        if (in.mod == 3) return regs[in.rm] & 0xFFFF;
        return read16(in.segment, effectiveAddress(in));
    }

    private void writeSelector(Instruction in, int selector) {
        if (in.mod == 3) setReg(in.operandSize32 ? 2 : 1, in.rm, selector);
        else write16(in.segment, effectiveAddress(in), selector);
    }

    /** PUSH Sreg with a 32-bit operand writes only the selector's 16 bits, as the P6 family does (SDM vol. 2, PUSH). */
    private void pushSegment(int size, int selector) {
        if (size == 1) {
            push(1, selector);
            return;
        }
        int sp = stackPointer() - 4;
        if (!stack32) sp &= 0xFFFF;
        linear(SS, sp, 4, true);
        write16(SS, sp, selector);
        setStackPointer(sp);
    }

    private void setCarry(boolean carry) {
        materializeFlags();
        flags = carry ? flags | CF : flags & ~CF;
    }

    private void checkInterruptFlagAccess() {
        if (protectedMode() && (v86Mode() ? iopl() < 3 : cpl > iopl())) throw raise(GP, 0);
    }

    private void softwareInterrupt(int vector, boolean intN) {
        if (v86Mode() && intN && iopl() < 3) throw raise(GP, 0);
        deliverInterrupt(vector, CpuException.NO_ERROR_CODE, true, false);
        flagsChanged();
    }

    private void multiply(Instruction in, int source, boolean signed) {
        int size = in.size;
        boolean overflow;
        int low;
        switch (size) {
            case 0 -> {
                int al = regs[EAX] & 0xFF;
                int product = signed ? (byte) al * (byte) source : al * (source & 0xFF);
                setReg(1, EAX, product);
                overflow = signed ? product != (byte) product : (product & 0xFF00) != 0;
                low = product;
            }
            case 1 -> {
                int ax = regs[EAX] & 0xFFFF;
                int product = signed ? (short) ax * (short) source : ax * (source & 0xFFFF);
                setReg(1, EAX, product);
                setReg(1, EDX, product >>> 16);
                overflow = signed ? product != (short) product : (product & 0xFFFF_0000) != 0;
                low = product;
            }
            default -> {
                long product = signed ? (long) regs[EAX] * source : (regs[EAX] & 0xFFFF_FFFFL) * (source & 0xFFFF_FFFFL);
                regs[EAX] = (int) product;
                regs[EDX] = (int) (product >>> 32);
                overflow = signed ? product != (int) product : (product >>> 32) != 0;
                low = (int) product;
            }
        }
        setResultFlags(size, low, overflow, overflow, false);
    }

    final int imulTruncated(int size, int a, int b) {
        long product;
        boolean overflow;
        if (size == 2) {
            product = (long) a * b;
            overflow = product != (int) product;
        } else {
            product = (long) (short) a * (short) b;
            overflow = product != (short) product;
        }
        setResultFlags(size, (int) product, overflow, overflow, false);
        return (int) product;
    }

    private void divide(Instruction in, int source, boolean signed) {
        int size = in.size;
        switch (size) {
            case 0 -> {
                int dividend = regs[EAX] & 0xFFFF;
                int divisor = source & 0xFF;
                if (divisor == 0) throw raise(DE);
                int quotient;
                int remainder;
                if (signed) {
                    quotient = (short) dividend / (byte) divisor;
                    remainder = (short) dividend % (byte) divisor;
                    if (quotient != (byte) quotient) throw raise(DE);
                } else {
                    quotient = dividend / divisor;
                    remainder = dividend % divisor;
                    if (quotient > 0xFF) throw raise(DE);
                }
                setReg(1, EAX, (quotient & 0xFF) | (remainder & 0xFF) << 8);
            }
            case 1 -> {
                int dividend = (regs[EDX] & 0xFFFF) << 16 | (regs[EAX] & 0xFFFF);
                int divisor = source & 0xFFFF;
                if (divisor == 0) throw raise(DE);
                long quotient;
                long remainder;
                if (signed) {
                    quotient = (long) dividend / (short) divisor;
                    remainder = (long) dividend % (short) divisor;
                    if (quotient != (short) quotient) throw raise(DE);
                } else {
                    quotient = (dividend & 0xFFFF_FFFFL) / divisor;
                    remainder = (dividend & 0xFFFF_FFFFL) % divisor;
                    if (quotient > 0xFFFF) throw raise(DE);
                }
                setReg(1, EAX, (int) quotient);
                setReg(1, EDX, (int) remainder);
            }
            default -> {
                long dividend = (regs[EAX] & 0xFFFF_FFFFL) | (long) regs[EDX] << 32;
                if (source == 0) throw raise(DE);
                long quotient;
                long remainder;
                if (signed) {
                    if (dividend == Long.MIN_VALUE && source == -1) throw raise(DE);
                    quotient = dividend / source;
                    remainder = dividend % source;
                    if (quotient != (int) quotient) throw raise(DE);
                } else {
                    long divisor = source & 0xFFFF_FFFFL;
                    quotient = Long.divideUnsigned(dividend, divisor);
                    remainder = Long.remainderUnsigned(dividend, divisor);
                    if ((quotient >>> 32) != 0) throw raise(DE);
                }
                regs[EAX] = (int) quotient;
                regs[EDX] = (int) remainder;
            }
        }
    }

    /** DAA/DAS, following the SDM vol. 2 pseudo-code. */
    private void decimalAdjust(boolean subtract) {
        int al = regs[EAX] & 0xFF;
        boolean oldCf = cf();
        boolean af = (arithmeticFlags() & AF) != 0;
        int result = al;
        boolean carry = false;
        if ((al & 0xF) > 9 || af) {
            result = subtract ? result - 6 : result + 6;
            carry = oldCf || (subtract ? al < 6 : result > 0xFF);
            af = true;
        } else {
            af = false;
        }
        if (al > 0x99 || oldCf) {
            result = subtract ? result - 0x60 : result + 0x60;
            carry = true;
        }
        result &= 0xFF;
        setReg(0, EAX, result);
        setResultFlags(0, result, carry, false, af);
    }

    /** AAA/AAS (SDM vol. 2): the i386+ form that adjusts AX as a whole (a borrow or carry out of AL reaches AH). */
    private void asciiAdjust(boolean subtract) {
        boolean adjust = (regs[EAX] & 0xF) > 9 || (arithmeticFlags() & AF) != 0;
        int ax = regs[EAX] & 0xFFFF;
        if (adjust) {
            ax = subtract ? ax - 6 - 0x100 : ax + 0x106;
        }
        setReg(1, EAX, ax & 0xFF0F);
        materializeFlags();
        int f = flags & ~(CF | AF);
        flags = adjust ? f | CF | AF : f;
    }

    private void enter(Instruction in) {
        int size = in.size;
        int bytes = SIZE_BYTES[size];
        int allocation = in.immediate & 0xFFFF;
        int level = in.immediate2 & 0x1F;
        push(size, regs[EBP]);
        int frameTemp = stackPointer();
        if (level > 0) {
            int framePointer = stack32 ? regs[EBP] : regs[EBP] & 0xFFFF;
            for (int i = 1; i < level; i++) {
                framePointer -= bytes;
                if (!stack32) framePointer &= 0xFFFF;
                push(size, size == 2 ? read32(SS, framePointer) : read16(SS, framePointer));
            }
            push(size, frameTemp);
        }
        int newSp = stackPointer() - allocation;
        if (!stack32) newSp &= 0xFFFF;
        linear(SS, newSp, 1, true);
        setReg(stack32 ? 2 : 1, EBP, frameTemp);
        setStackPointer(newSp);
    }

    private void bitTest(Instruction in, int operation, int bitOffset, boolean registerOffset) {
        int size = in.size;
        int bits = SIZE_BITS[size];
        int value;
        int bit;
        if (in.mod == 3) {
            bit = bitOffset & (bits - 1);
            value = reg(size, in.rm);
        } else {
            int offset = effectiveAddress(in);
            if (registerOffset) {
                int signedOffset = size == 2 ? bitOffset : (short) bitOffset;
                offset += (signedOffset >> (size == 2 ? 5 : 4)) * SIZE_BYTES[size];
                if (!in.addressSize32) offset &= 0xFFFF;
            }
            bit = bitOffset & (bits - 1);
            if (operation == 0) {
                value = read(size, in.segment, offset);
            } else {
                updateLinear = writableLinear(size, in.segment, offset);
                value = readLinear(size, updateLinear);
            }
        }
        boolean set = ((value >>> bit) & 1) != 0;
        materializeFlags();
        flags = set ? flags | CF : flags & ~CF;
        if (operation == 0) return;
        int result = switch (operation) {
            case 1 -> value | (1 << bit);
            case 2 -> value & ~(1 << bit);
            default -> value ^ (1 << bit);
        };
        if (in.mod == 3) setReg(size, in.rm, result);
        else writeLinear(size, updateLinear, result);
    }

    // ---- system instructions ------------------------------------------------------------------

    private void loadLdt(int selector) {
        if ((selector & 0xFFFC) == 0) {
            ldtr.load(selector, 0, 0, 0, false);
            return;
        }
        if ((selector & 4) != 0) throw raise(GP, selector & 0xFFFC);
        long d = fetchDescriptor(selector, GP);
        if (isCodeOrData(d) || descriptorType(d) != LDT_TYPE) throw raise(GP, selector & 0xFFFC);
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
        ldtr.load(selector, descriptorBase(d), descriptorLimit(d), descriptorAttributes(d), true);
    }

    private void loadTaskRegister(int selector) {
        if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
        if ((selector & 4) != 0) throw raise(GP, selector & 0xFFFC);
        long d = fetchDescriptor(selector, GP);
        int type = descriptorType(d);
        if (isCodeOrData(d) || (type != TSS16_AVAILABLE && type != TSS32_AVAILABLE)) throw raise(GP, selector & 0xFFFC);
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
        int address = descriptorAddress(selector) + 5;
        writeSystem8(address, readSystem8(address) | 2);
        taskRegister.load(selector, descriptorBase(d), descriptorLimit(d), descriptorAttributes(d) | 2, true);
    }

    /** Whether a descriptor is visible at the current CPL and the selector's RPL (LAR/LSL/VERR/VERW). */
    private boolean visible(int selector, long d) {
        if (isConformingCode(d)) return true;
        int dpl = descriptorDpl(d);
        return dpl >= cpl && dpl >= (selector & 3);
    }

    private void verify(int selector, boolean write) {
        materializeFlags();
        flags &= ~ZF;
        if ((selector & 0xFFFC) == 0 || descriptorAddress(selector) == -1) return;
        long d = fetchDescriptor(selector, GP);
        if (!isCodeOrData(d) || !visible(selector, d)) return;
        int type = descriptorType(d);
        boolean ok = write ? (type & 0xA) == 2 : (type & 0xA) != 8;
        if (ok) flags |= ZF;
    }

    private void loadAccessRightsOrLimit(Instruction in, int selector) {
        materializeFlags();
        flags &= ~ZF;
        if ((selector & 0xFFFC) == 0 || descriptorAddress(selector) == -1) return;
        long d = fetchDescriptor(selector, GP);
        if (!visible(selector, d)) return;
        if (!isCodeOrData(d)) {
            int type = descriptorType(d);
            boolean valid = switch (type) {
                case TSS16_AVAILABLE, LDT_TYPE, TSS16_BUSY, TSS32_AVAILABLE, TSS32_BUSY -> true;
                case CALL_GATE16, TASK_GATE, CALL_GATE32 -> in.op == LAR;
                default -> false;
            };
            if (!valid) return;
        }
        if (in.op == LAR) {
            setReg(in.size, in.reg, (int) (d >>> 32) & 0x00F0_FF00);
        } else {
            setReg(in.size, in.reg, descriptorLimit(d));
        }
        flags |= ZF;
    }

    private void cpuid() {
        switch (regs[EAX]) {
            case 0 -> {
                regs[EAX] = 1;
                regs[EBX] = 0x756E_6547; // "GenuineIntel"
                regs[EDX] = 0x4965_6E69;
                regs[ECX] = 0x6C65_746E;
            }
            default -> {
                // Family 6, model 3, stepping 3 (a Pentium II): FPU, DE, PSE, TSC, MSR, CX8, SEP, PGE, CMOV.
                regs[EAX] = 0x0633;
                regs[EBX] = 0;
                regs[ECX] = 0;
                regs[EDX] = 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 8 | 1 << 11 | 1 << 13 | 1 << 15;
            }
        }
    }

    /** The TSC counts at 1 GHz of virtual time. */
    final long timeStampCounter() {
        return clock.nanos() + tscOffset;
    }

    private long readMsr(int msr) {
        return switch (msr) {
            case MSR_TSC -> timeStampCounter();
            // No microcode is ever loaded: platform 0, update signature (bits 63:32) 0.
            case MSR_PLATFORM_ID, MSR_BIOS_SIGN_ID -> 0;
            case MSR_SYSENTER_CS -> sysenterCs & 0xFFFF_FFFFL;
            case MSR_SYSENTER_ESP -> sysenterEsp & 0xFFFF_FFFFL;
            case MSR_SYSENTER_EIP -> sysenterEip & 0xFFFF_FFFFL;
            default -> {
                if (!PerformanceCounters.handles(msr)) throw raise(GP, 0);
                yield performanceCounters.read(msr);
            }
        };
    }

    private void writeMsr(int msr, long value) {
        switch (msr) {
            case MSR_TSC -> tscOffset = value - clock.nanos();
            case MSR_BIOS_SIGN_ID -> { } // software clears it before CPUID to read the signature back
            case MSR_SYSENTER_CS -> sysenterCs = (int) value;
            case MSR_SYSENTER_ESP -> sysenterEsp = (int) value;
            case MSR_SYSENTER_EIP -> sysenterEip = (int) value;
            default -> {
                if (!PerformanceCounters.handles(msr)) throw raise(GP, 0);
                performanceCounters.write(msr, value);
            }
        }
    }

    /** SYSENTER (SDM vol. 2): flat ring-0 CS and SS derived from IA32_SYSENTER_CS. */
    private void sysenter() {
        if (!protectedMode()) throw raise(GP, 0);
        if ((sysenterCs & 0xFFFC) == 0) throw raise(GP, 0);
        flags &= ~(VM | IF | RF);
        flagsChanged();
        int cs = sysenterCs & 0xFFFC;
        segments[CS].load(cs, 0, -1, 0x9B | SegmentRegister.DEFAULT_BIG | SegmentRegister.GRANULARITY, true);
        code32 = true;
        segments[SS].load((cs + 8) & 0xFFFC, 0, -1, 0x93 | SegmentRegister.DEFAULT_BIG | SegmentRegister.GRANULARITY, true);
        stack32 = true;
        setCpl(0);
        regs[ESP] = sysenterEsp;
        eip = sysenterEip;
    }

    private void sysexit() {
        if (!protectedMode() || cpl != 0 || v86Mode() || (sysenterCs & 0xFFFC) == 0) throw raise(GP, 0);
        int cs = ((sysenterCs & 0xFFFC) + 16) | 3;
        segments[CS].load(cs, 0, -1, 0xFB | SegmentRegister.DEFAULT_BIG | SegmentRegister.GRANULARITY, true);
        code32 = true;
        segments[SS].load(((sysenterCs & 0xFFFC) + 24) | 3, 0, -1, 0xF3 | SegmentRegister.DEFAULT_BIG | SegmentRegister.GRANULARITY, true);
        stack32 = true;
        setCpl(3);
        regs[ESP] = regs[ECX];
        eip = regs[EDX];
    }

    final int readDebugRegister(int index) {
        if ((index == 4 || index == 5) && (cr4 & CR4_DE) != 0) throw raise(UD);
        return switch (index) {
            case 4, 6 -> debugRegisters[6] | 0xFFFF_0FF0;
            case 5, 7 -> debugRegisters[7] | 0x400;
            default -> debugRegisters[index];
        };
    }

    void writeDebugRegister(int index, int value) {
        if ((index == 4 || index == 5) && (cr4 & CR4_DE) != 0) throw raise(UD);
        int target = index == 4 ? 6 : index == 5 ? 7 : index;
        debugRegisters[target] = value;
    }
}
