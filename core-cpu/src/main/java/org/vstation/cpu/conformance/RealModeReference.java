package org.vstation.cpu.conformance;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What an i686 does with one real-mode test of the 286 captures, worked out
 * from the Intel SDM and independently of {@link org.vstation.cpu.X86Cpu}.
 * It models only the forms where a 286 and an i686 differ (LOCK misuse,
 * stack and string operands past offset 0xFFFF, long redundant-prefix forms
 * of the word ALU/MOV/TEST with an immediate, MOV to and from FS/GS); any
 * other instruction is reported as not modelled, never guessed.
 */
final class RealModeReference {
    static final int VECTOR_UD = 6;
    static final int VECTOR_SS = 12;
    static final int VECTOR_GP = 13;

    /** Register order of {@link MooFile#REGISTER_NAMES}. */
    static final int AX = 0, BX = 1, CX = 2, DX = 3, CS = 4, SS = 5, DS = 6, ES = 7, SP = 8, BP = 9, SI = 10,
            DI = 11, IP = 12, FLAGS = 13;
    /** ModR/M register numbers (AX CX DX BX SP BP SI DI) as register indexes. */
    private static final int[] WORD_REGISTER = {AX, CX, DX, BX, SP, BP, SI, DI};
    private static final int CF = 0x0001, PF = 0x0004, AF = 0x0010, ZF = 0x0040, SF = 0x0080, TF = 0x0100,
            IF = 0x0200, DF = 0x0400, OF = 0x0800;
    /** FLAGS bits 12-15 read differently on a 286 in real mode (README of the test data). */
    private static final int FLAGS_286_MASK = 0x0FFF;
    private static final int HLT = 0xF4;
    /** Where handlers are placed for vectors whose IVT entry the test leaves empty: segment n × 0x1000, offset 0. */
    private static final int HANDLER_SEGMENT_STEP = 0x1000;
    /** Value of every port read in the test environment (README: IN reads 0xFFFF). */
    private static final int OPEN_BUS_WORD = 0xFFFF;

    /** The i686 end state: registers, every byte touched, the bytes the harness must place first, and the exception raised (-1: none). */
    record Outcome(int[] registers, int fs, int gs, Map<Long, Integer> memory, Map<Long, Integer> setup,
                   int vector, long pushedFlagsAddress, int instructionLength, int flagsMask) {}

    /** An instruction form or situation the reference does not model. */
    static final class NotModelled extends RuntimeException {
        NotModelled(String what) {
            super(what);
        }
    }

    /** An exception the instruction raises; unwinds to {@link #run}. */
    private static final class Fault extends RuntimeException {
        final int vector;

        Fault(int vector) {
            super(null, null, false, false);
            this.vector = vector;
        }
    }

    private final MooFile.Test test;
    private final int[] registers;
    private int fs;
    private int gs;
    private final Map<Long, Integer> memory = new HashMap<>();
    private final Set<Long> touched = new HashSet<>();
    private final Map<Long, Integer> setup = new HashMap<>();
    private final byte[] bytes;
    private int position;
    private int segmentOverride = -1;
    private boolean lock;
    private int repeatPrefix;

    private RealModeReference(MooFile.Test test, int fs, int gs) {
        this.test = test;
        MooFile.State initial = test.initial();
        this.registers = initial.registers().clone();
        this.fs = fs;
        this.gs = gs;
        for (int i = 0; i < initial.ramAddresses().length; i++) {
            memory.put(initial.ramAddresses()[i], initial.ramValues()[i]);
        }
        this.bytes = test.bytes();
    }

    /**
     * Runs the test's instruction and the HLT that follows it (or the HLT
     * of the exception handler) on the model. {@code fileFlagsMask} is the
     * metadata's mask of undefined flags, applied when the instruction
     * completes.
     */
    static Outcome run(MooFile.Test test, int fs, int gs, int fileFlagsMask) {
        return new RealModeReference(test, fs, gs).execute(fileFlagsMask);
    }

    private Outcome execute(int fileFlagsMask) {
        int vector = -1;
        long pushedFlagsAddress = -1;
        int[] start = registers.clone();
        try {
            executeInstruction();
            if ((registers[FLAGS] & TF) != 0) {
                throw new NotModelled("single-step trap after the instruction");
            }
            registers[IP] = (registers[IP] + position) & 0xFFFF;
            if (bytes.length <= position || (bytes[position] & 0xFF) != HLT) {
                throw new NotModelled("no HLT after the instruction");
            }
            registers[IP] = (registers[IP] + 1) & 0xFFFF;
        } catch (Fault fault) {
            vector = fault.vector;
            deliverFault(fault.vector, start[IP]);
            pushedFlagsAddress = physical(SS, registers[SP] + 4);
        }
        Map<Long, Integer> finalMemory = new HashMap<>();
        for (Long address : touched) finalMemory.put(address, memory.getOrDefault(address, 0));
        int flagsMask = vector >= 0 ? FLAGS_286_MASK : fileFlagsMask & FLAGS_286_MASK;
        return new Outcome(registers, fs, gs, finalMemory, setup, vector, pushedFlagsAddress, position, flagsMask);
    }

    // ---- decoding -------------------------------------------------------------------------------

    private void executeInstruction() {
        int opcode = prefixesAndOpcode();
        if (lock && !lockable(opcode)) {
            // SDM vol. 2, "LOCK": #UD when the instruction is not lockable or its destination is not memory.
            throw new Fault(VECTOR_UD);
        }
        switch (opcode) {
            case 0x6D, 0x6F, 0xA5, 0xA7, 0xAB, 0xAD, 0xAF -> stringWords(opcode);
            case 0x81 -> aluImmediate(modRm());
            case 0xC7, 0xF7 -> moveOrTestImmediate(opcode, modRm());
            case 0x8C, 0x8E -> moveSegment(opcode, modRm());
            default -> {
                operandFaults(opcode);
                throw new NotModelled(String.format("opcode %02X without a fault", opcode));
            }
        }
    }

    /** Instructions modelled only as far as their operand checks: the stack reads and word operands that can fault. */
    private void operandFaults(int opcode) {
        switch (opcode) {
            case 0x07, 0x17, 0x1F, 0xC2, 0xC3 -> stackWords(registers[SP], 1);
            case 0xCA, 0xCB -> stackWords(registers[SP], 2);
            case 0x61 -> stackWords(registers[SP], 8);
            case 0xC9 -> stackWords(registers[BP], 1);
            case 0x21, 0x23, 0x29, 0x2B, 0x31, 0x33, 0x39, 0x3B, 0x69, 0x6B -> readOperandWord(modRm());
            case 0x62 -> {
                Operand bounds = modRm();
                readWord(bounds.segment, bounds.offset);
                readWord(bounds.segment, bounds.offset + 2);
            }
            default -> throw new NotModelled(String.format("opcode %02X", opcode));
        }
    }

    private int prefixesAndOpcode() {
        while (true) {
            int value = fetchByte();
            switch (value) {
                // Several overrides of one group: the last one applies, as Intel processors do (SDM vol. 2, 2.1.1
                // leaves repeated prefixes of a group to the implementation).
                case 0x26 -> segmentOverride = ES;
                case 0x2E -> segmentOverride = CS;
                case 0x36 -> segmentOverride = SS;
                case 0x3E -> segmentOverride = DS;
                case 0xF0 -> lock = true;
                case 0xF2, 0xF3 -> repeatPrefix = value;
                default -> {
                    if (position > 15) {
                        throw new NotModelled("instruction longer than 15 bytes");
                    }
                    return value;
                }
            }
        }
    }

    private int fetchByte() {
        if (position >= bytes.length) throw new NotModelled("instruction runs past its bytes");
        return bytes[position++] & 0xFF;
    }

    private int fetchWord() {
        return fetchByte() | fetchByte() << 8;
    }

    /**
     * SDM vol. 2, "LOCK": lockable are ADD, ADC, AND, BTC, BTR, BTS, CMPXCHG,
     * CMPXCHG8B, DEC, INC, NEG, NOT, OR, SBB, SUB, XOR, XADD and XCHG, and
     * only with a memory destination.
     */
    private boolean lockable(int opcode) {
        boolean lockableForm = switch (opcode) {
            case 0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31, 0x86, 0x87 -> true;
            case 0x80, 0x81, 0x82, 0x83 -> peekReg() != 7;
            case 0xF6, 0xF7 -> peekReg() == 2 || peekReg() == 3;
            case 0xFE, 0xFF -> peekReg() <= 1;
            case 0x0F -> throw new NotModelled("LOCK with a two-byte opcode");
            default -> false;
        };
        return lockableForm && peekMod() != 3;
    }

    private int peekModRm() {
        if (position >= bytes.length) throw new NotModelled("ModR/M runs past the instruction bytes");
        return bytes[position] & 0xFF;
    }

    private int peekReg() {
        return (peekModRm() >> 3) & 7;
    }

    private int peekMod() {
        return peekModRm() >> 6;
    }

    /** A ModR/M operand: a register (segment -1) or a segment and 16-bit offset; reg is the ModR/M reg field. */
    private record Operand(int reg, int register, int segment, int offset) {
        boolean isRegister() {
            return segment < 0;
        }
    }

    /** 16-bit addressing forms, SDM vol. 2, table 2-1; BP-based forms default to SS. */
    private Operand modRm() {
        int modRm = fetchByte();
        int mod = modRm >> 6;
        int reg = (modRm >> 3) & 7;
        int rm = modRm & 7;
        if (mod == 3) return new Operand(reg, WORD_REGISTER[rm], -1, 0);
        int base = switch (rm) {
            case 0 -> registers[BX] + registers[SI];
            case 1 -> registers[BX] + registers[DI];
            case 2 -> registers[BP] + registers[SI];
            case 3 -> registers[BP] + registers[DI];
            case 4 -> registers[SI];
            case 5 -> registers[DI];
            case 6 -> mod == 0 ? 0 : registers[BP];
            default -> registers[BX];
        };
        int displacement = switch (mod) {
            case 0 -> rm == 6 ? fetchWord() : 0;
            case 1 -> (byte) fetchByte();
            default -> fetchWord();
        };
        boolean stackBased = rm == 2 || rm == 3 || (rm == 6 && mod != 0);
        int segment = segmentOverride >= 0 ? segmentOverride : stackBased ? SS : DS;
        return new Operand(reg, -1, segment, (base + displacement) & 0xFFFF);
    }

    // ---- instructions ---------------------------------------------------------------------------

    /** POP, RET, RETF, POPA and LEAVE read {@code count} words upward from {@code offset} in SS. */
    private void stackWords(int offset, int count) {
        for (int i = 0; i < count; i++) readWord(SS, offset + 2 * i);
    }

    private int readOperandWord(Operand operand) {
        return operand.isRegister() ? registers[operand.register] : readWord(operand.segment, operand.offset);
    }

    private void writeOperandWord(Operand operand, int value) {
        if (operand.isRegister()) {
            registers[operand.register] = value & 0xFFFF;
        } else {
            writeWord(operand.segment, operand.offset, value);
        }
    }

    /** 81 /0-/7: ADD OR ADC SBB AND SUB XOR CMP r/m16, imm16. */
    private void aluImmediate(Operand destination) {
        int immediate = fetchWord();
        int value = readOperandWord(destination);
        int carry = registers[FLAGS] & CF;
        int result = switch (destination.reg) {
            case 0 -> arithmetic(value, immediate, 0, false);
            case 1 -> logic(value | immediate);
            case 2 -> arithmetic(value, immediate, carry, false);
            case 3 -> arithmetic(value, immediate, carry, true);
            case 4 -> logic(value & immediate);
            case 5, 7 -> arithmetic(value, immediate, 0, true);
            default -> logic(value ^ immediate);
        };
        if (destination.reg != 7) writeOperandWord(destination, result);
    }

    /** C7 /0 MOV r/m16, imm16; F7 /0 TEST r/m16, imm16 and /1, the form Intel processors execute as TEST. */
    private void moveOrTestImmediate(int opcode, Operand operand) {
        if (opcode == 0xC7 && operand.reg != 0 || opcode == 0xF7 && operand.reg > 1) {
            throw new NotModelled(String.format("%02X /%d", opcode, operand.reg));
        }
        int immediate = fetchWord();
        if (opcode == 0xC7) {
            writeOperandWord(operand, immediate);
        } else {
            logic(readOperandWord(operand) & immediate);
        }
    }

    /** 8C MOV r/m16, Sreg and 8E MOV Sreg, r/m16 with FS (reg 4) or GS (reg 5); real mode: the selector is all that changes. */
    private void moveSegment(int opcode, Operand operand) {
        if (operand.reg != 4 && operand.reg != 5) {
            throw new NotModelled(String.format("%02X /%d", opcode, operand.reg));
        }
        if (opcode == 0x8C) {
            writeOperandWord(operand, operand.reg == 4 ? fs : gs);
        } else {
            int selector = readOperandWord(operand);
            if (operand.reg == 4) fs = selector;
            else gs = selector;
        }
    }

    /**
     * Word string instructions, repeated under REP/REPE/REPNE (SDM vol. 2,
     * "REP/REPE/REPZ/REPNE/REPNZ"): registers advance only when an iteration
     * completes, so a fault leaves SI, DI and CX at the faulting iteration and
     * the instruction can restart.
     */
    private void stringWords(int opcode) {
        int step = (registers[FLAGS] & DF) != 0 ? -2 : 2;
        int source = segmentOverride >= 0 ? segmentOverride : DS;
        boolean repeated = repeatPrefix != 0;
        boolean compares = opcode == 0xA7 || opcode == 0xAF;
        while (!repeated || registers[CX] != 0) {
            int si = registers[SI];
            int di = registers[DI];
            switch (opcode) {
                case 0x6D -> writeWord(ES, di, OPEN_BUS_WORD);
                case 0x6F -> readWord(source, si);
                case 0xA5 -> writeWord(ES, di, readWord(source, si));
                case 0xA7 -> arithmetic(readWord(source, si), readWord(ES, di), 0, true);
                case 0xAB -> writeWord(ES, di, registers[AX]);
                case 0xAD -> registers[AX] = readWord(source, si);
                default -> arithmetic(registers[AX], readWord(ES, di), 0, true);
            }
            boolean usesSource = opcode == 0x6F || opcode == 0xA5 || opcode == 0xA7 || opcode == 0xAD;
            boolean usesDestination = opcode != 0x6F && opcode != 0xAD;
            if (usesSource) registers[SI] = (si + step) & 0xFFFF;
            if (usesDestination) registers[DI] = (di + step) & 0xFFFF;
            if (!repeated) break;
            registers[CX] = (registers[CX] - 1) & 0xFFFF;
            boolean zero = (registers[FLAGS] & ZF) != 0;
            if (compares && (repeatPrefix == 0xF3 ? !zero : zero)) break;
        }
    }

    // ---- flags (SDM vol. 1, 3.4.3.1) ------------------------------------------------------------

    private int arithmetic(int left, int right, int carry, boolean subtract) {
        int result = subtract ? left - right - carry : left + right + carry;
        int word = result & 0xFFFF;
        boolean carryOut = subtract ? left < right + carry : result > 0xFFFF;
        int signedRight = subtract ? ~right : right;
        boolean overflow = ((left ^ word) & (signedRight ^ word) & 0x8000) != 0;
        int flags = (carryOut ? CF : 0) | ((left ^ right ^ word) & AF) | (overflow ? OF : 0);
        setResultFlags(word, flags);
        return word;
    }

    private int logic(int result) {
        int word = result & 0xFFFF;
        setResultFlags(word, 0);
        return word;
    }

    private void setResultFlags(int word, int carryAuxOverflow) {
        int flags = registers[FLAGS] & ~(CF | PF | AF | ZF | SF | OF);
        flags |= carryAuxOverflow;
        if (word == 0) flags |= ZF;
        if ((word & 0x8000) != 0) flags |= SF;
        if (Integer.bitCount(word & 0xFF) % 2 == 0) flags |= PF;
        registers[FLAGS] = flags;
    }

    // ---- memory ---------------------------------------------------------------------------------

    private long physical(int segment, int offset) {
        return ((long) registers[segment] << 4) + (offset & 0xFFFF);
    }

    /**
     * SDM vol. 2, real-address mode exceptions of every memory instruction: an
     * operand past the segment limit (0xFFFF) is #SS in SS and #GP elsewhere,
     * and nothing has changed.
     */
    private void checkWord(int segment, int offset) {
        if ((offset & 0xFFFF) == 0xFFFF) throw new Fault(segment == SS ? VECTOR_SS : VECTOR_GP);
    }

    private int readWord(int segment, int offset) {
        checkWord(segment, offset);
        long address = physical(segment, offset);
        return readByte(address) | readByte(address + 1) << 8;
    }

    private void writeWord(int segment, int offset, int value) {
        checkWord(segment, offset);
        long address = physical(segment, offset);
        writeByte(address, value);
        writeByte(address + 1, value >> 8);
    }

    private int readByte(long address) {
        touched.add(address);
        return memory.getOrDefault(address, 0);
    }

    private void writeByte(long address, int value) {
        touched.add(address);
        memory.put(address, value & 0xFF);
    }

    // ---- exception delivery ---------------------------------------------------------------------

    /**
     * SDM vol. 2, "INT n/INTO/INT3", real-address mode: push FLAGS, clear IF,
     * TF and AC, push CS and IP, load CS:IP from the IVT. A fault pushes the
     * address of the faulting instruction, prefixes included (SDM vol. 3,
     * 6.5), so the instruction restarts. Then the handler's HLT runs.
     */
    private void deliverFault(int vector, int faultingIp) {
        long entry = 4L * vector;
        if (!memory.containsKey(entry) && !memory.containsKey(entry + 3)) installHandler(entry);
        push(registers[FLAGS]);
        registers[FLAGS] &= ~(IF | TF);
        push(registers[CS]);
        push(faultingIp);
        registers[IP] = readByte(entry) | readByte(entry + 1) << 8;
        registers[CS] = readByte(entry + 2) | readByte(entry + 3) << 8;
        long handler = physical(CS, registers[IP]);
        if (memory.getOrDefault(handler, 0) != HLT) {
            if (memory.containsKey(handler) || touched.contains(handler)) {
                throw new NotModelled(String.format("the handler of vector %d at %05x is not a HLT", vector, handler));
            }
            placeSetup(handler, HLT);
        }
        registers[IP] = (registers[IP] + 1) & 0xFFFF;
    }

    private void push(int word) {
        int sp = (registers[SP] - 2) & 0xFFFF;
        if (sp == 0xFFFF) throw new NotModelled("exception frame straddles the stack segment's end");
        registers[SP] = sp;
        long address = physical(SS, sp);
        writeByte(address, word);
        writeByte(address + 1, word >> 8);
    }

    /** The test leaves this IVT entry empty: the harness points it at a HLT of its own, away from every byte the test uses. */
    private void installHandler(long entry) {
        Set<Long> used = new HashSet<>(touched);
        used.addAll(memory.keySet());
        for (long address : test.expected().ramAddresses()) used.add(address);
        for (int segment = HANDLER_SEGMENT_STEP; segment <= 0x9000; segment += HANDLER_SEGMENT_STEP) {
            long handler = (long) segment << 4;
            if (used.contains(handler) || used.contains(handler + 1)) continue;
            if (used.contains(entry) || used.contains(entry + 1) || used.contains(entry + 2) || used.contains(entry + 3)) {
                throw new NotModelled("the instruction uses the IVT entry of its own exception");
            }
            placeSetup(entry, 0);
            placeSetup(entry + 1, 0);
            placeSetup(entry + 2, segment);
            placeSetup(entry + 3, segment >> 8);
            placeSetup(handler, HLT);
            return;
        }
        throw new NotModelled("no free place for an exception handler");
    }

    private void placeSetup(long address, int value) {
        setup.put(address, value & 0xFF);
        memory.put(address, value & 0xFF);
        touched.add(address);
    }
}
