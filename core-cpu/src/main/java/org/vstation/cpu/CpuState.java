package org.vstation.cpu;

import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;
import org.vstation.cpu.decode.Instruction;
import org.vstation.cpu.mmu.Mmu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The architectural state of the processor and the primitives every
 * instruction uses: registers by operand size, lazily computed arithmetic
 * flags, segment-checked memory access through the software TLB, and the
 * stack. The layers above add system operations and instruction semantics.
 */
abstract class CpuState {
    static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    // EFLAGS bits (SDM vol. 1, 3.4.3)
    static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9,
            DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18,
            VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
    static final int ARITHMETIC_FLAGS = CF | PF | AF | ZF | SF | OF;
    /** Bits an i686 lets software change (ID included: CPUID exists). */
    static final int WRITABLE_FLAGS = ARITHMETIC_FLAGS | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;

    // CR0 and CR4 bits (SDM vol. 3, 2.5)
    static final int CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
            CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1 << 31;
    static final int CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 0x10, CR4_PGE = 0x80,
            CR4_PCE = 0x100;

    // exception vectors
    static final int DE = 0, DB = 1, NMI_VECTOR = 2, BP = 3, OF_VECTOR = 4, BR = 5, UD = 6, NM = 7, DF_VECTOR = 8,
            TS = 10, NP = 11, SS_VECTOR = 12, GP = 13, PF_VECTOR = 14, MF = 16, AC_VECTOR = 17;

    static final int[] SIZE_MASK = {0xFF, 0xFFFF, -1};

    /**
     * {@code SIZE_MASK[size]} as an expression C2 folds when the size is a
     * constant (it cannot fold an element of a static array), for the hot paths.
     */
    static int sizeMask(int size) {
        return size == 2 ? -1 : size == 1 ? 0xFFFF : 0xFF;
    }
    static final int[] SIGN_BIT = {0x80, 0x8000, 0x8000_0000};
    static final int[] SIZE_BITS = {8, 16, 32};
    static final int[] SIZE_BYTES = {1, 2, 4};

    static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private static final byte[] PARITY = new byte[256];

    static {
        for (int i = 0; i < 256; i++) {
            PARITY[i] = (byte) ((Integer.bitCount(i) & 1) == 0 ? PF : 0);
        }
    }

    final PhysicalMemory memory;
    final byte[] ram;
    final IoBus io;
    final InterruptController interruptController;
    final TimeSource clock;
    final Mmu mmu;
    final CpuException fault = new CpuException();

    final int[] regs = new int[8];
    int eip;
    /** EIP of the instruction being executed: where a fault restarts. */
    int instructionEip;
    final SegmentRegister[] segments = new SegmentRegister[6];
    final SegmentRegister ldtr = new SegmentRegister();
    final SegmentRegister taskRegister = new SegmentRegister();
    int gdtBase, gdtLimit, idtBase, idtLimit;
    int cr0, cr2, cr3, cr4;
    final int[] debugRegisters = new int[8];

    /** Current privilege level; 3 in V86 mode. */
    int cpl;
    boolean code32;
    boolean stack32;

    /** EFLAGS except the arithmetic flags while a lazy operation is pending. */
    int flags;
    static final int LAZY_NONE = 0, LAZY_ADD = 1, LAZY_ADC = 2, LAZY_SUB = 3, LAZY_SBB = 4, LAZY_LOGIC = 5,
            LAZY_INC = 6, LAZY_DEC = 7;
    int lazyOp;
    int lazySize;
    int lazyA, lazyB, lazyResult;
    /**
     * CF of the pending operation as 0 or 1, computed when the operation runs:
     * carry is the flag read most (ADC, SBB, Jb/Jbe), and INC/DEC keep it,
     * so it never needs the operation's operands again.
     */
    int lazyCf;

    /** The TLB arrays for the current privilege (user when CPL = 3). */
    int[] tlbReadTag, tlbReadBase, tlbWriteTag, tlbWriteBase;

    CpuState(PhysicalMemory memory, IoBus io, InterruptController interruptController, TimeSource clock) {
        this.memory = memory;
        this.ram = memory.ram();
        this.io = io;
        this.interruptController = interruptController;
        this.clock = clock;
        this.mmu = new Mmu(memory);
        for (int i = 0; i < 6; i++) {
            segments[i] = new SegmentRegister();
        }
        selectTlb();
    }

    /**
     * Bumped whenever a link between decoded blocks may have gone stale: a TLB
     * flush, a privilege change, or a write to decoded code.
     */
    int chainEpoch;

    final void selectTlb() {
        chainEpoch++;
        boolean user = cpl == 3;
        tlbReadTag = mmu.readTags(user);
        tlbReadBase = mmu.readBases(user);
        tlbWriteTag = mmu.writeTags(user);
        tlbWriteBase = mmu.writeBases(user);
    }

    final RuntimeException raise(int vector, int errorCode) {
        return fault.set(vector, errorCode);
    }

    final RuntimeException raise(int vector) {
        return fault.set(vector, CpuException.NO_ERROR_CODE);
    }

    final boolean protectedMode() {
        return (cr0 & CR0_PE) != 0;
    }

    final boolean v86Mode() {
        return (flags & VM) != 0;
    }

    final int iopl() {
        return (flags >>> 12) & 3;
    }

    // ---- flags -------------------------------------------------------------------

    final void setLazy(int op, int size, int a, int b, int result) {
        lazyOp = op;
        lazySize = size;
        lazyA = a;
        lazyB = b;
        lazyResult = result;
    }

    /** Result flags of a logical operation: CF = OF = 0, AF cleared. */
    final void setLogicFlags(int size, int result) {
        lazyOp = LAZY_LOGIC;
        lazySize = size;
        lazyCf = 0;
        lazyResult = result & sizeMask(size);
    }

    final int arithmeticFlags() {
        if (lazyOp == LAZY_NONE) {
            return flags & ARITHMETIC_FLAGS;
        }
        int r = lazyResult;
        int a = lazyA;
        int b = lazyB;
        int sign = SIGN_BIT[lazySize];
        int f = PARITY[r & 0xFF] | (r == 0 ? ZF : 0) | ((r & sign) != 0 ? SF : 0) | lazyCf;
        switch (lazyOp) {
            case LAZY_ADD -> {
                f |= ((a ^ b ^ r) & AF) | (((a ^ r) & (b ^ r) & sign) != 0 ? OF : 0);
            }
            case LAZY_ADC -> {
                f |= ((a ^ b ^ r) & AF) | (((a ^ r) & (b ^ r) & sign) != 0 ? OF : 0);
            }
            case LAZY_SUB -> {
                f |= ((a ^ b ^ r) & AF) | (((a ^ b) & (a ^ r) & sign) != 0 ? OF : 0);
            }
            case LAZY_SBB -> {
                f |= ((a ^ b ^ r) & AF) | (((a ^ b) & (a ^ r) & sign) != 0 ? OF : 0);
            }
            case LAZY_INC -> f |= ((a ^ 1 ^ r) & AF) | (r == sign ? OF : 0);
            case LAZY_DEC -> f |= ((a ^ 1 ^ r) & AF) | (r == sign - 1 ? OF : 0);
            default -> { }
        }
        return f;
    }

    /** Folds a pending lazy operation into {@link #flags}. */
    final void materializeFlags() {
        if (lazyOp != LAZY_NONE) {
            flags = (flags & ~ARITHMETIC_FLAGS) | arithmeticFlags();
            lazyOp = LAZY_NONE;
        }
    }

    final int eflags() {
        return (flags & ~ARITHMETIC_FLAGS) | arithmeticFlags() | 2;
    }

    /** Replaces the arithmetic flags with explicit values. */
    final void setArithmeticFlags(int values) {
        lazyOp = LAZY_NONE;
        flags = (flags & ~ARITHMETIC_FLAGS) | (values & ARITHMETIC_FLAGS);
    }

    final boolean cf() {
        return (lazyOp == LAZY_NONE ? flags & CF : lazyCf) != 0;
    }

    final boolean zf() {
        return lazyOp == LAZY_NONE ? (flags & ZF) != 0 : lazyResult == 0;
    }

    final boolean sf() {
        return lazyOp == LAZY_NONE ? (flags & SF) != 0 : (lazyResult & SIGN_BIT[lazySize]) != 0;
    }

    final boolean of() {
        int sign = SIGN_BIT[lazySize];
        return switch (lazyOp) {
            case LAZY_NONE -> (flags & OF) != 0;
            case LAZY_LOGIC -> false;
            case LAZY_ADD, LAZY_ADC -> ((lazyA ^ lazyResult) & (lazyB ^ lazyResult) & sign) != 0;
            case LAZY_SUB, LAZY_SBB -> ((lazyA ^ lazyB) & (lazyA ^ lazyResult) & sign) != 0;
            case LAZY_INC -> lazyResult == sign;
            default -> lazyResult == sign - 1;
        };
    }

    final boolean pf() {
        return lazyOp == LAZY_NONE ? (flags & PF) != 0 : PARITY[lazyResult & 0xFF] != 0;
    }

    static int parity(int value) {
        return PARITY[value & 0xFF];
    }

    /** Jcc/SETcc/CMOVcc condition codes (SDM vol. 2, appendix B.1.4.7). */
    final boolean condition(int cc) {
        boolean result = switch (cc >>> 1) {
            case 0 -> of();
            case 1 -> cf();
            case 2 -> zf();
            case 3 -> cf() || zf();
            case 4 -> sf();
            case 5 -> pf();
            case 6 -> sf() != of();
            default -> zf() || sf() != of();
        };
        return result ^ ((cc & 1) != 0);
    }

    // ---- registers ---------------------------------------------------------------

    final int reg(int size, int r) {
        return switch (size) {
            case 0 -> r < 4 ? regs[r] & 0xFF : (regs[r - 4] >>> 8) & 0xFF;
            case 1 -> regs[r] & 0xFFFF;
            default -> regs[r];
        };
    }

    final void setReg(int size, int r, int value) {
        switch (size) {
            case 0 -> {
                if (r < 4) regs[r] = (regs[r] & ~0xFF) | (value & 0xFF);
                else regs[r - 4] = (regs[r - 4] & ~0xFF00) | (value & 0xFF) << 8;
            }
            case 1 -> regs[r] = (regs[r] & 0xFFFF_0000) | (value & 0xFFFF);
            default -> regs[r] = value;
        }
    }

    /** The effective address (offset into the segment) of a ModR/M memory operand. */
    final int effectiveAddress(Instruction in) {
        int ea = in.displacement;
        if (in.base >= 0) ea += regs[in.base];
        if (in.index >= 0) ea += regs[in.index] << in.scale;
        return in.addressSize32 ? ea : ea & 0xFFFF;
    }

    // ---- segmentation --------------------------------------------------------------

    /** Checks a data access against the segment cache and returns its linear address (SDM vol. 3, 5.3). */
    final int linear(int segment, int offset, int size, boolean write) {
        SegmentRegister s = segments[segment];
        if (!(write ? s.writesAnywhere : s.readsAnywhere) || Integer.compareUnsigned(offset, -size) > 0) {
            long first = offset & 0xFFFF_FFFFL;
            long last = first + size - 1;
            if ((write ? !s.writable : !s.readable) || first < s.lowestOffset || last > s.highestOffset) {
                throw segmentFault(segment);
            }
        }
        int linear = s.base + offset;
        if (alignmentCheck && (linear & (size - 1)) != 0) {
            throw raise(AC_VECTOR, 0);
        }
        if (dataBreakpointsEnabled) {
            noteDataAccess(linear, size, write);
        }
        return linear;
    }

    /** DR7 enables a data breakpoint (R/W = 01 or 11); data accesses are then matched against DR0-DR3. */
    boolean dataBreakpointsEnabled;
    /** B0-B3 of the data breakpoints the current instruction hit; reported as a trap when it completes. */
    int dataBreakpointHits;

    /** SDM vol. 3, 17.2.4-17.2.5: R/W 01 breaks on writes, 11 on reads and writes; LEN 00/01/11 = 1/2/4 bytes. */
    private void noteDataAccess(int linear, int size, boolean write) {
        int dr7 = debugRegisters[7];
        for (int i = 0; i < 4; i++) {
            int rw = (dr7 >>> (16 + i * 4)) & 3;
            if (((dr7 >>> (i * 2)) & 3) == 0 || (rw != 3 && !(rw == 1 && write))) {
                continue;
            }
            int length = ((dr7 >>> (18 + i * 4)) & 3) + 1;
            int start = debugRegisters[i] & ~(length - 1);
            if (Integer.compareUnsigned(linear - start, length) < 0 || Integer.compareUnsigned(start - linear, size) < 0) {
                dataBreakpointHits |= 1 << i;
            }
        }
    }

    /** CR0.AM, EFLAGS.AC and CPL 3 together enable #AC for misaligned data (SDM vol. 3, 6.15, interrupt 17). */
    boolean alignmentCheck;

    final void updateAlignmentCheck() {
        alignmentCheck = (cr0 & CR0_AM) != 0 && (flags & AC) != 0 && cpl == 3;
    }

    final RuntimeException segmentFault(int segment) {
        return raise(segment == SS ? SS_VECTOR : GP, 0);
    }

    // ---- memory by linear address ----------------------------------------------------

    final boolean userAccess() {
        return cpl == 3;
    }

    final long translate(int linear, boolean write, boolean user) {
        long physical = mmu.translate(linear, write, user);
        if (physical < 0) {
            cr2 = linear;
            throw raise(PF_VECTOR, mmu.faultErrorCode());
        }
        return physical;
    }

    final int readLinear8(int linear) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        if (tlbReadTag[slot] == page) {
            return ram[tlbReadBase[slot] | (linear & 0xFFF)] & 0xFF;
        }
        return memory.read8(translate(linear, false, userAccess()));
    }

    final int readLinear16(int linear) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        if (tlbReadTag[slot] == page && (linear & 0xFFF) <= 0xFFE) {
            return (short) SHORT_LE.get(ram, tlbReadBase[slot] | (linear & 0xFFF)) & 0xFFFF;
        }
        return readSlow(linear, 2, userAccess());
    }

    final int readLinear32(int linear) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        if (tlbReadTag[slot] == page && (linear & 0xFFF) <= 0xFFC) {
            return (int) INT_LE.get(ram, tlbReadBase[slot] | (linear & 0xFFF));
        }
        return readSlow(linear, 4, userAccess());
    }

    final int readSlow(int linear, int bytes, boolean user) {
        if ((linear & 0xFFF) > 0x1000 - bytes) {
            int firstBytes = 0x1000 - (linear & 0xFFF);
            long first = translate(linear, false, user);
            long second = translate((linear | 0xFFF) + 1, false, user);
            int value = 0;
            for (int i = 0; i < bytes; i++) {
                value |= memory.read8(i < firstBytes ? first + i : second + (i - firstBytes)) << (8 * i);
            }
            return value;
        }
        long physical = translate(linear, false, user);
        return bytes == 2 ? memory.read16(physical) : memory.read32(physical);
    }

    final void writeLinear8(int linear, int value) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        if (tlbWriteTag[slot] == page) {
            ram[tlbWriteBase[slot] | (linear & 0xFFF)] = (byte) value;
            return;
        }
        memory.write8(translate(linear, true, userAccess()), value);
    }

    final void writeLinear16(int linear, int value) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        if (tlbWriteTag[slot] == page && (linear & 0xFFF) <= 0xFFE) {
            SHORT_LE.set(ram, tlbWriteBase[slot] | (linear & 0xFFF), (short) value);
            return;
        }
        writeSlow(linear, 2, value, userAccess());
    }

    final void writeLinear32(int linear, int value) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        if (tlbWriteTag[slot] == page && (linear & 0xFFF) <= 0xFFC) {
            INT_LE.set(ram, tlbWriteBase[slot] | (linear & 0xFFF), value);
            return;
        }
        writeSlow(linear, 4, value, userAccess());
    }

    final void writeSlow(int linear, int bytes, int value, boolean user) {
        if ((linear & 0xFFF) > 0x1000 - bytes) {
            // Both pages are checked before either is written, so a fault leaves memory unchanged.
            int firstBytes = 0x1000 - (linear & 0xFFF);
            long first = translate(linear, true, user);
            long second = translate((linear | 0xFFF) + 1, true, user);
            for (int i = 0; i < bytes; i++) {
                memory.write8(i < firstBytes ? first + i : second + (i - firstBytes), value >>> (8 * i));
            }
            return;
        }
        long physical = translate(linear, true, user);
        if (bytes == 2) memory.write16(physical, value);
        else memory.write32(physical, value);
    }

    /** Implicit supervisor accesses: descriptor tables, the TSS, the IDT (SDM vol. 3, 4.6.1). */
    final int readSystem8(int linear) {
        return memory.read8(translate(linear, false, false));
    }

    final int readSystem16(int linear) {
        return readSlow(linear, 2, false);
    }

    final int readSystem32(int linear) {
        return readSlow(linear, 4, false);
    }

    final void writeSystem8(int linear, int value) {
        memory.write8(translate(linear, true, false), value);
    }

    final void writeSystem16(int linear, int value) {
        writeSlow(linear, 2, value, false);
    }

    final void writeSystem32(int linear, int value) {
        writeSlow(linear, 4, value, false);
    }

    // ---- memory by segment and offset ------------------------------------------------

    final int read8(int segment, int offset) {
        return readLinear8(linear(segment, offset, 1, false));
    }

    final int read16(int segment, int offset) {
        return readLinear16(linear(segment, offset, 2, false));
    }

    final int read32(int segment, int offset) {
        return readLinear32(linear(segment, offset, 4, false));
    }

    final int read(int size, int segment, int offset) {
        return switch (size) {
            case 0 -> read8(segment, offset);
            case 1 -> read16(segment, offset);
            default -> read32(segment, offset);
        };
    }

    final void write8(int segment, int offset, int value) {
        writeLinear8(linear(segment, offset, 1, true), value);
    }

    final void write16(int segment, int offset, int value) {
        writeLinear16(linear(segment, offset, 2, true), value);
    }

    final void write32(int segment, int offset, int value) {
        writeLinear32(linear(segment, offset, 4, true), value);
    }

    final void write(int size, int segment, int offset, int value) {
        switch (size) {
            case 0 -> write8(segment, offset, value);
            case 1 -> write16(segment, offset, value);
            default -> write32(segment, offset, value);
        }
    }

    final void writeLinear(int size, int linear, int value) {
        switch (size) {
            case 0 -> writeLinear8(linear, value);
            case 1 -> writeLinear16(linear, value);
            default -> writeLinear32(linear, value);
        }
    }

    final int readLinear(int size, int linear) {
        return switch (size) {
            case 0 -> readLinear8(linear);
            case 1 -> readLinear16(linear);
            default -> readLinear32(linear);
        };
    }

    /**
     * Start of a read-modify-write operand: checks write access up front (so a
     * fault comes before any change) and returns the linear address.
     */
    final int writableLinear(int size, int segment, int offset) {
        int linear = linear(segment, offset, SIZE_BYTES[size], true);
        int page = linear >>> 12;
        if (tlbWriteTag[page & Mmu.TLB_MASK] != page || (linear & 0xFFF) > 0x1000 - SIZE_BYTES[size]) {
            translate(linear, true, userAccess());
            if ((linear & 0xFFF) > 0x1000 - SIZE_BYTES[size]) {
                translate((linear | 0xFFF) + 1, true, userAccess());
            }
        }
        return linear;
    }

    // ---- stack ---------------------------------------------------------------------

    final int stackPointer() {
        return stack32 ? regs[ESP] : regs[ESP] & 0xFFFF;
    }

    final void setStackPointer(int value) {
        if (stack32) regs[ESP] = value;
        else regs[ESP] = (regs[ESP] & 0xFFFF_0000) | (value & 0xFFFF);
    }

    /** Pushes a 16-bit (size 1) or 32-bit (size 2) value; ESP changes only after the write succeeds. */
    final void push(int size, int value) {
        int bytes = size == 2 ? 4 : 2;
        int sp = stackPointer() - bytes;
        if (!stack32) sp &= 0xFFFF;
        if (size == 2) write32(SS, sp, value);
        else write16(SS, sp, value);
        setStackPointer(sp);
    }

    final int pop(int size) {
        int value = peek(size, 0);
        setStackPointer(stackPointer() + (size == 2 ? 4 : 2));
        return value;
    }

    /** Reads the stack {@code offset} bytes above the top without popping. */
    final int peek(int size, int offset) {
        int sp = stackPointer() + offset;
        if (!stack32) sp &= 0xFFFF;
        return size == 2 ? read32(SS, sp) : read16(SS, sp);
    }
}
