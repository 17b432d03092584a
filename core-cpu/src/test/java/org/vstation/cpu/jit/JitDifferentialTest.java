package org.vstation.cpu.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vstation.cpu.Processor;
import org.vstation.cpu.SegmentRegister;
import org.vstation.cpu.X86Cpu;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;

/**
 * Random instruction sequences run by the interpreter alone and with the JIT
 * compiling their blocks must end in the same state: registers, EIP, EFLAGS,
 * instruction count and memory. The programs loop over a body of ALU, MOV,
 * stack, shift, branch and call instructions, interpreter-only instructions
 * between them, writes into their own code (self-modifying code inside the
 * running block) and base-register changes that make later accesses fault
 * mid-block (#GP with no IDT: the processor shuts down at the faulting
 * instruction, whose state must match). A new seed every run, printed on
 * failure; -Dvstation.jit.seed=N repeats one.
 */
class JitDifferentialTest {
    private static final int CODE = 0x1000;
    private static final int HALT_HANDLER = 0x500;
    private static final int DATA_BASE = 0x8000;
    private static final int STACK_TOP = 0x7000;
    private static final int DATA_LIMIT = 0x9FFF;
    private static final int MEMORY_COMPARED = 0x10000;
    private static final int PROGRAMS = Integer.getInteger("vstation.jit.programs", 40);
    private static final int BODY_INSTRUCTIONS = 40;

    private static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    /** Registers the body may write: ECX counts the loop, EBX and ESI address memory, ESP is the stack. */
    private static final int[] WRITABLE = {EAX, EDX, EBP, EDI};
    /** Byte registers the body may write: AL, DL, AH, DH. */
    private static final int[] WRITABLE_BYTE = {0, 2, 4, 6};

    @ParameterizedTest(name = "{0}-bit code")
    @ValueSource(ints = {16, 32})
    void compiledBlocksEndInTheInterpretersState(int bits) {
        long seed = Long.getLong("vstation.jit.seed", System.nanoTime()) + bits;
        Random random = new Random(seed);
        long compiledTotal = 0;
        int faulted = 0;
        for (int program = 0; program < PROGRAMS; program++) {
            Generator generator = new Generator(random, bits == 32);
            byte[] code = generator.program();
            int threshold = 1 + random.nextInt(3);
            Machine interpreted = new Machine(bits == 32, code, false, threshold);
            Machine compiled = new Machine(bits == 32, code, true, threshold);
            interpreted.run();
            compiled.run();
            String context = "seed " + seed + ", program " + program + ", threshold " + threshold + ", code "
                    + HexFormat.of().formatHex(code);
            assertEquals(interpreted.describe(), compiled.describe(), context);
            assertEquals(interpreted.cpu.instructionCount(), compiled.cpu.instructionCount(), context);
            for (int address = 0; address < MEMORY_COMPARED; address += 4) {
                if (interpreted.memory.read32(address) != compiled.memory.read32(address)) {
                    assertEquals(interpreted.memory.read32(address), compiled.memory.read32(address),
                            context + ", memory at " + Integer.toHexString(address));
                }
            }
            compiledTotal += compiled.cpu.compiledBlockCount();
            faulted += interpreted.stop == Processor.StopReason.SHUTDOWN || interpreted.cpu.eip() == HALT_HANDLER + 1 ? 1 : 0;
        }
        assertTrue(faulted > 0, "no program faulted");
        assertTrue(compiledTotal > PROGRAMS, "the JIT compiled only " + compiledTotal + " blocks");
    }

    /** A bare processor with RAM, running one program from CODE until it halts or shuts down. */
    private static final class Machine {
        final PhysicalMemory memory = new PhysicalMemory(1 << 20);
        final X86Cpu cpu;

        Machine(boolean code32, byte[] code, boolean jit, int threshold) {
            IoBus io = new IoBus() {
                @Override
                public int read(int port, int size) {
                    return 0;
                }

                @Override
                public void write(int port, int size, int value) {
                }
            };
            cpu = new X86Cpu(memory, io, () -> 0, () -> 0L);
            cpu.configureJit(jit, threshold);
            memory.writeBytes(CODE, code, 0, code.length);
            memory.write8(HALT_HANDLER, 0xF4);
            for (int vector = 0; vector < 256; vector++) {
                memory.write32(vector * 4, HALT_HANDLER);
            }
            for (int address = DATA_BASE; address < DATA_BASE + 0x1000; address += 4) {
                memory.write32(address, address * 0x9E3779B1);
            }
            if (code32) {
                cpu.setControlRegister(0, cpu.cr0() | 1);
                int big = SegmentRegister.DEFAULT_BIG | SegmentRegister.PRESENT | SegmentRegister.CODE_OR_DATA;
                cpu.setSegment(X86Cpu.SEG_CS, 0x08, 0, 0xFFFFF, big | 0x0B);
                cpu.setSegment(X86Cpu.SEG_SS, 0x10, 0, 0xFFFFF, big | 0x03);
                for (int segment : new int[] {X86Cpu.SEG_DS, X86Cpu.SEG_ES}) {
                    cpu.setSegment(segment, 0x18, 0, DATA_LIMIT, big | 0x03);
                }
                cpu.setDescriptorTable(true, 0, 0);
            } else {
                for (int segment = 0; segment < 6; segment++) {
                    cpu.setRealModeSegment(segment, 0);
                }
            }
            cpu.setEip(CODE);
            cpu.setRegister(EBX, DATA_BASE);
            cpu.setRegister(ESI, 0x40);
            cpu.setRegister(ESP, STACK_TOP);
            cpu.setRegister(EAX, 0x1234_5678);
            cpu.setRegister(EDX, 0x8000_0001);
            cpu.setRegister(EDI, 7);
            cpu.setRegister(EBP, 0xFFFF_FF80);
        }

        Processor.StopReason stop;

        void run() {
            while (cpu.instructionCount() < 200_000) {
                stop = cpu.run(997);
                if (stop == Processor.StopReason.HALTED || stop == Processor.StopReason.SHUTDOWN) {
                    return;
                }
            }
        }

        String describe() {
            StringBuilder s = new StringBuilder(cpu.describeState().replaceFirst("CS:EIP=\\S+", ""));
            s.append(" EIP=").append(Integer.toHexString(cpu.eip())).append(" halted=").append(cpu.isHalted());
            return s.toString();
        }
    }

    /** Writes one random program: a counted loop over a random body, then HLT. */
    private static final class Generator {
        private final Random random;
        private final boolean code32;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        /** Where "add eAX, imm8" immediates sit, for self-modifying writes. */
        private final java.util.List<Integer> patchable = new java.util.ArrayList<>();

        Generator(Random random, boolean code32) {
            this.random = random;
            this.code32 = code32;
        }

        byte[] program() {
            bytes(0xB9);
            immediate(2 + random.nextInt(20), false); // mov (e)cx, iterations
            int top = out.size();
            for (int i = 0; i < BODY_INSTRUCTIONS; i++) {
                instruction();
            }
            bytes(0x49); // dec (e)cx
            bytes(0x0F, 0x85);
            int rel = top - (out.size() + (code32 ? 4 : 2));
            immediate(rel, false); // jnz top
            bytes(0xF4);
            return out.toByteArray();
        }

        private void instruction() {
            prefixed = false;
            switch (random.nextInt(20)) {
                case 0, 1, 2 -> aluModrm();
                case 3, 4 -> aluImmediate();
                case 5 -> {
                    int op = random.nextInt(8);
                    boolean wide = random.nextBoolean();
                    operandPrefix();
                    bytes(op * 8 + (wide ? 5 : 4));
                    if (wide) immediate(random.nextInt(), true);
                    else bytes(random.nextInt(256));
                }
                case 6 -> {
                    int form = random.nextInt(3);
                    boolean wide = random.nextBoolean();
                    if (wide) operandPrefix();
                    if (form == 0) {
                        bytes(wide ? 0x85 : 0x84);
                        destination(random.nextInt(8), wide);
                    } else if (form == 1) {
                        bytes(wide ? 0xF7 : 0xF6);
                        destination(0, wide);
                        if (wide) immediate(random.nextInt(), true);
                        else bytes(random.nextInt(256));
                    } else {
                        bytes(wide ? 0xA9 : 0xA8);
                        if (wide) immediate(random.nextInt(), true);
                        else bytes(random.nextInt(256));
                    }
                }
                case 7 -> {
                    switch (random.nextInt(3)) {
                        case 0 -> {
                            operandPrefix();
                            bytes((random.nextBoolean() ? 0x40 : 0x48) + writable());
                        }
                        case 1 -> {
                            bytes(0xFE);
                            destination(random.nextInt(2), false);
                        }
                        default -> {
                            operandPrefix();
                            bytes(0xFF);
                            destination(random.nextInt(2), true);
                        }
                    }
                }
                case 8, 9 -> move();
                case 10 -> {
                    operandPrefix();
                    bytes(0x8D);
                    memoryOperand(writable());
                }
                case 11 -> {
                    operandPrefix();
                    bytes(0x0F, 0xB6 + random.nextInt(2) + (random.nextBoolean() ? 8 : 0));
                    int reg = writable();
                    if (random.nextBoolean()) memoryOperand(reg);
                    else bytes(0xC0 | reg << 3 | random.nextInt(8));
                }
                case 12 -> shift();
                case 13 -> stack();
                case 14 -> branch();
                case 15 -> call();
                case 16 -> interpreted();
                case 17 -> selfModify();
                case 18 -> {
                    // A new base register: later memory operands may fault beyond DS's limit.
                    if (random.nextInt(4) == 0) {
                        bytes(0xBB);
                        immediate(random.nextBoolean() ? DATA_LIMIT - random.nextInt(0x100) : random.nextInt(), false);
                    } else {
                        patchable.add(out.size() + 2);
                        bytes(0x83, 0xC0, random.nextInt(256)); // add (e)ax, imm8
                    }
                }
                default -> {
                    patchable.add(out.size() + 2);
                    bytes(0x83, 0xC0, random.nextInt(256));
                }
            }
        }

        private void aluModrm() {
            int op = random.nextInt(8);
            boolean wide = random.nextBoolean();
            if (wide) operandPrefix();
            boolean toRegister = random.nextBoolean();
            bytes(op * 8 + (toRegister ? 2 : 0) + (wide ? 1 : 0));
            if (toRegister) {
                int reg = wide ? writable() : writableByte();
                if (random.nextBoolean()) memoryOperand(reg);
                else bytes(0xC0 | reg << 3 | random.nextInt(8));
            } else {
                int source = random.nextInt(8);
                if (random.nextBoolean()) memoryOperand(source);
                else bytes(0xC0 | source << 3 | (wide ? writable() : writableByte()));
            }
        }

        private void aluImmediate() {
            int op = random.nextInt(8);
            switch (random.nextInt(3)) {
                case 0 -> {
                    bytes(0x80);
                    destination(op, false);
                    bytes(random.nextInt(256));
                }
                case 1 -> {
                    operandPrefix();
                    bytes(0x81);
                    destination(op, true);
                    immediate(random.nextInt(), true);
                }
                default -> {
                    operandPrefix();
                    bytes(0x83);
                    destination(op, true);
                    bytes(random.nextInt(256));
                }
            }
        }

        private void move() {
            prefixed = false;
            boolean wide = random.nextBoolean();
            if (wide) operandPrefix();
            switch (random.nextInt(4)) {
                case 0 -> {
                    bytes(wide ? 0x89 : 0x88);
                    int source = random.nextInt(8);
                    if (random.nextBoolean()) memoryOperand(source);
                    else bytes(0xC0 | source << 3 | (wide ? writable() : writableByte()));
                }
                case 1 -> {
                    bytes(wide ? 0x8B : 0x8A);
                    int reg = wide ? writable() : writableByte();
                    if (random.nextBoolean()) memoryOperand(reg);
                    else bytes(0xC0 | reg << 3 | random.nextInt(8));
                }
                case 2 -> {
                    bytes(wide ? 0xC7 : 0xC6);
                    destination(0, wide);
                    if (wide) immediate(random.nextInt(), true);
                    else bytes(random.nextInt(256));
                }
                default -> {
                    if (wide) {
                        bytes(0xB8 + writable());
                        immediate(random.nextInt(), true);
                    } else {
                        bytes(0xB0 + writableByte(), random.nextInt(256));
                    }
                }
            }
        }

        private void shift() {
            boolean wide = random.nextBoolean();
            if (wide) operandPrefix();
            int kind = random.nextInt(3);
            bytes((kind == 0 ? 0xC0 : kind == 1 ? 0xD0 : 0xD2) + (wide ? 1 : 0));
            destination(random.nextInt(8), wide);
            if (kind == 0) bytes(random.nextInt(40));
        }

        private void stack() {
            switch (random.nextInt(3)) {
                case 0 -> bytes(0x50 + random.nextInt(8));
                case 1 -> bytes(0x6A, random.nextInt(256));
                default -> {
                    bytes(0xFF);
                    memoryOperand(6);
                }
            }
            if (random.nextInt(3) == 0) move();
            bytes(0x58 + writable());
        }

        /** A conditional branch over the next instruction, short or near. */
        private void branch() {
            int cc = random.nextInt(16);
            byte[] skipped = skippedInstruction();
            if (random.nextBoolean()) {
                bytes(0x70 + cc, skipped.length);
            } else {
                bytes(0x0F, 0x80 + cc);
                immediate(skipped.length, false);
            }
            out.writeBytes(skipped);
        }

        private byte[] skippedInstruction() {
            int reg = writable();
            return random.nextBoolean() ? new byte[] {(byte) (0x40 + reg)} : new byte[] {(byte) 0x83, (byte) (0xE8 | reg), 3};
        }

        /** CALL to a subroutine after a JMP over it: {@code call sub; jmp over; sub: insn; ret; over:}. */
        private void call() {
            bytes(0xE8);
            immediate(2, false);
            byte[] body = skippedInstruction();
            bytes(0xEB, body.length + 1);
            out.writeBytes(body);
            bytes(0xC3);
        }

        /** Instructions without a template, which compiled code runs through the interpreter. */
        private void interpreted() {
            switch (random.nextInt(7)) {
                case 0 -> {
                    bytes(0x0F, 0x90 + random.nextInt(16));
                    destination(0, false);
                }
                case 1 -> {
                    bytes(0x0F, 0x40 + random.nextInt(16));
                    bytes(0xC0 | writable() << 3 | random.nextInt(8));
                }
                case 2 -> bytes(new int[] {0xF5, 0xF8, 0xF9}[random.nextInt(3)]); // CMC, CLC, STC
                case 3 -> {
                    operandPrefix();
                    bytes(0xF7);
                    destination(2 + random.nextInt(2), true); // NOT, NEG
                }
                case 4 -> {
                    bytes(0x0F, 0xAF);
                    bytes(0xC0 | writable() << 3 | random.nextInt(8));
                }
                case 5 -> {
                    bytes(0x87);
                    bytes(0xC0 | writable() << 3 | writable());
                }
                default -> {
                    bytes(0xF7, 0xF0 | writable()); // DIV: #DE when the quotient does not fit
                }
            }
        }

        /** Rewrites an earlier "add eAX, imm8" immediate, or one in the body just ahead. */
        private void selfModify() {
            int target = patchable.isEmpty() || random.nextBoolean() ? -1 : patchable.get(random.nextInt(patchable.size()));
            int length = code32 ? 7 : 5;
            if (target < 0) {
                target = out.size() + length + 2;
            }
            bytes(0xC6, code32 ? 0x05 : 0x06);
            immediate(CODE + target, false);
            bytes(random.nextInt(256));
            if (target == out.size() + 2) {
                patchable.add(target);
                bytes(0x83, 0xC0, random.nextInt(256));
            }
        }

        private void destination(int reg, boolean wide) {
            if (random.nextBoolean()) memoryOperand(reg);
            else bytes(0xC0 | reg << 3 | (wide ? writable() : writableByte()));
        }

        /** A memory operand based on (E)BX, sometimes indexed by (E)SI, with an 8-bit displacement. */
        private void memoryOperand(int reg) {
            int displacement = random.nextInt(128);
            if (code32) {
                if (random.nextBoolean()) {
                    bytes(0x44 | reg << 3, random.nextInt(4) << 6 | ESI << 3 | EBX, displacement);
                } else {
                    bytes(0x43 | reg << 3, displacement);
                }
            } else {
                bytes((random.nextBoolean() ? 0x47 : 0x40) | reg << 3, displacement);
            }
        }

        /** Sometimes a 66 prefix, which flips the operand size (and the size of an immediate) of what follows. */
        private void operandPrefix() {
            if (random.nextInt(4) == 0) {
                bytes(0x66);
                prefixed = true;
            }
        }

        private boolean prefixed;

        private int writable() {
            return WRITABLE[random.nextInt(WRITABLE.length)];
        }

        private int writableByte() {
            return WRITABLE_BYTE[random.nextInt(WRITABLE_BYTE.length)];
        }

        /** An immediate of the code's default size, or of the operand size when {@code operandSized}. */
        private void immediate(int value, boolean operandSized) {
            boolean wide = code32 != (operandSized && prefixed);
            for (int i = 0; i < (wide ? 4 : 2); i++) {
                out.write(value >>> (8 * i));
            }
        }

        private void bytes(int... values) {
            for (int value : values) {
                out.write(value);
            }
        }
    }
}
