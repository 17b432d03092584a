package org.vstation.cpu.jit;

import static java.lang.constant.ConstantDescs.CD_Integer;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.util.List;

import org.vstation.cpu.decode.Instruction;
import org.vstation.cpu.decode.Op;

/**
 * Compiles a decoded block into a hidden class implementing {@link CompiledBlock}
 * with {@code java.lang.classfile}. The frequent instructions (MOV, ALU, TEST,
 * LEA, PUSH/POP, MOVZX/MOVSX, shifts, INC/DEC, Jcc/JMP/CALL/RET near) become
 * straight-line bytecode with their operands as constants; every other
 * instruction calls the interpreter's {@code execute} on its decoded form, with
 * the block loop's protocol around it. HotSpot then compiles each block's
 * method with a profile of its own.
 *
 * <p>The hidden class joins the processor's package and nest (the lookup comes
 * from {@code X86Cpu}), so it uses the interpreter's own registers, lazy
 * flags, segment-checked TLB accesses and stack helpers: compiled and
 * interpreted code share one state and interleave freely.
 *
 * <p>Precise faults: before an instruction that can fault the code stores its
 * EIP in {@code instructionEip}; architectural state changes only after the
 * checks the interpreter makes, in the interpreter's order, so the block loop
 * restarts the faulting instruction exactly as it would have.
 */
public final class BlockCompiler {
    private static final ClassDesc CPU = ClassDesc.of("org.vstation.cpu.X86Cpu");
    private static final ClassDesc INSTRUCTION = ClassDesc.of("org.vstation.cpu.decode.Instruction");
    private static final ClassDesc COMPILED_BLOCK = ClassDesc.of(CompiledBlock.class.getName());
    private static final ClassDesc CODE_CLASS = ClassDesc.of("org.vstation.cpu.CompiledBlockCode");
    private static final ClassDesc INT_ARRAY = CD_int.arrayType();

    private static final MethodTypeDesc INT_INT = MethodTypeDesc.of(CD_int, CD_int);
    private static final MethodTypeDesc INT_INT_INT = MethodTypeDesc.of(CD_int, CD_int, CD_int);
    private static final MethodTypeDesc INT_INT_INT_INT = MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_int);
    private static final MethodTypeDesc INT_INT_INT_INT_INT = MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_int, CD_int);
    private static final MethodTypeDesc INT_INT_INT_BOOLEAN = MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_boolean);
    private static final MethodTypeDesc VOID_INT = MethodTypeDesc.of(CD_void, CD_int);
    private static final MethodTypeDesc VOID_INT_INT = MethodTypeDesc.of(CD_void, CD_int, CD_int);
    private static final MethodTypeDesc VOID_INT_INT_INT = MethodTypeDesc.of(CD_void, CD_int, CD_int, CD_int);
    private static final MethodTypeDesc BOOLEAN_INT = MethodTypeDesc.of(CD_boolean, CD_int);
    private static final MethodTypeDesc INT_NONE = MethodTypeDesc.of(CD_int);
    private static final MethodTypeDesc BOOLEAN_NONE = MethodTypeDesc.of(CD_boolean);
    private static final MethodTypeDesc VOID_INSTRUCTION = MethodTypeDesc.of(CD_void, INSTRUCTION);
    private static final MethodTypeDesc RUN = MethodTypeDesc.of(CD_int, CPU, CD_int);

    // The interpreter's lazy-flag operations (CpuState.LAZY_*) and ALU operation numbers (Interpreter.ALU_*).
    private static final int LAZY_ADD = 1, LAZY_ADC = 2, LAZY_SUB = 3, LAZY_SBB = 4, LAZY_LOGIC = 5, LAZY_INC = 6,
            LAZY_DEC = 7;
    private static final int ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6,
            ALU_CMP = 7;
    private static final int ESP = 4, ES = 0, SS = 2;
    private static final int[] SIZE_MASK = {0xFF, 0xFFFF, -1};
    private static final int[] SIGN_BIT = {0x80, 0x8000, 0x8000_0000};
    private static final int[] SIZE_BYTES = {1, 2, 4};
    private static final String[] SIZE_SUFFIX = {"8", "16", "32"};

    // Local variable slots of the generated run method.
    private static final int CPU_SLOT = 1, ENTRY_SLOT = 2, REGS_SLOT = 3, FLAG_A = 4, FLAG_B = 5, FLAG_RESULT = 6,
            ADDRESS = 7, VALUE = 8, OPERAND = 9, NEW_A = 10, NEW_B = 11, CARRY = 12;

    private final MethodHandles.Lookup lookup;

    /** {@code lookup} must have full privilege on {@code X86Cpu}: the blocks become its nestmates. */
    public BlockCompiler(MethodHandles.Lookup lookup) {
        this.lookup = lookup;
    }

    /** Compiles {@code instructions} (a decoded block of code whose default size is {@code code32}). */
    public CompiledBlock compile(Instruction[] instructions, boolean code32) {
        byte[] bytes = ClassFile.of().build(CODE_CLASS, classBuilder -> {
            classBuilder.withFlags(AccessFlag.FINAL, AccessFlag.SYNTHETIC);
            classBuilder.withInterfaceSymbols(COMPILED_BLOCK);
            classBuilder.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    code -> code.aload(0).invokespecial(CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            classBuilder.withMethodBody("run", RUN, ClassFile.ACC_PUBLIC,
                    code -> new Emitter(code, instructions, code32).emitBlock());
        });
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClassWithClassData(bytes, List.of(instructions), true,
                    MethodHandles.Lookup.ClassOption.NESTMATE);
            return (CompiledBlock) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot define the compiled block", e);
        }
    }

    /** Whether {@code in} has a bytecode template; the rest call the interpreter. */
    static boolean hasTemplate(Instruction in) {
        if (in.lock) {
            return false;
        }
        return switch (in.op) {
            case Op.MOV_EG, Op.MOV_GE, Op.MOV_EI, Op.MOV_RI, Op.LEA, Op.NOP,
                 Op.ALU_EG, Op.ALU_GE, Op.ALU_AI, Op.ALU_EI, Op.TEST_EG, Op.TEST_EI, Op.TEST_AI,
                 Op.INC_R, Op.DEC_R, Op.INC_E, Op.DEC_E, Op.SHIFT_I, Op.SHIFT_1, Op.SHIFT_CL,
                 Op.MOVZX, Op.MOVSX, Op.PUSH_R, Op.PUSH_I, Op.PUSH_E, Op.POP_R,
                 Op.NOT, Op.NEG, Op.XCHG_EG, Op.SETCC, Op.CMOV, Op.IMUL_GE, Op.IMUL_GEI,
                 Op.JCC, Op.JMP_REL, Op.CALL_REL, Op.RET_NEAR -> true;
            default -> false;
        };
    }

    /** Emits one block's run method. */
    private static final class Emitter {
        private final CodeBuilder code;
        private final Instruction[] instructions;
        private final boolean code32;
        /** Lazy operation whose operands and result the locals FLAG_A/B/RESULT hold, or -1 when unknown. */
        private int knownLazyOp = -1;
        private int knownLazySize;

        Emitter(CodeBuilder code, Instruction[] instructions, boolean code32) {
            this.code = code;
            this.instructions = instructions;
            this.code32 = code32;
        }

        void emitBlock() {
            code.aload(CPU_SLOT).getfield(CPU, "regs", INT_ARRAY).astore(REGS_SLOT);
            int offset = 0;
            for (int i = 0; i < instructions.length; i++) {
                Instruction in = instructions[i];
                int next = offset + in.length;
                if (hasTemplate(in)) {
                    emitTemplate(in, i, offset, next);
                } else {
                    emitInterpreted(i, offset, next);
                }
                offset = next;
            }
            Instruction last = instructions[instructions.length - 1];
            if (!hasTemplate(last) || !endsWithJump(last)) {
                setEip(offset);
                code.loadConstant(instructions.length).ireturn();
            }
        }

        private static boolean endsWithJump(Instruction in) {
            return in.op == Op.JCC || in.op == Op.JMP_REL || in.op == Op.CALL_REL || in.op == Op.RET_NEAR;
        }

        // ---- block-loop protocol --------------------------------------------------

        /** Pushes the EIP of the byte {@code offset} into the block. */
        private void eipAt(int offset) {
            code.iload(ENTRY_SLOT);
            if (offset != 0) code.loadConstant(offset).iadd();
            if (!code32) code.loadConstant(0xFFFF).iand();
        }

        private void setEip(int offset) {
            code.aload(CPU_SLOT);
            eipAt(offset);
            code.putfield(CPU, "eip", CD_int);
        }

        private void setInstructionEip(int offset) {
            code.aload(CPU_SLOT);
            eipAt(offset);
            code.putfield(CPU, "instructionEip", CD_int);
        }

        /** After an instruction that touched memory: a write to decoded code or a device may need the loop. */
        private void exitIfEventPending(int completed, int next) {
            if (completed == instructions.length) {
                return;
            }
            Label go = code.newLabel();
            code.aload(CPU_SLOT).getfield(CPU, "eventPending", CD_boolean).ifeq(go);
            setEip(next);
            code.loadConstant(completed).ireturn();
            code.labelBinding(go);
        }

        /** Any instruction through the interpreter, exactly as {@code executeBlock} runs it. */
        private void emitInterpreted(int index, int offset, int next) {
            knownLazyOp = -1;
            setInstructionEip(offset);
            setEip(next);
            code.aload(CPU_SLOT)
                    .ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME,
                            INSTRUCTION, index))
                    .invokevirtual(CPU, "execute", VOID_INSTRUCTION);
            if (index + 1 == instructions.length) {
                code.loadConstant(index + 1).ireturn();
                return;
            }
            Label leave = code.newLabel();
            Label go = code.newLabel();
            code.aload(CPU_SLOT).getfield(CPU, "eventPending", CD_boolean).ifne(leave);
            code.aload(CPU_SLOT).getfield(CPU, "eip", CD_int);
            eipAt(next);
            code.if_icmpeq(go);
            code.labelBinding(leave);
            code.loadConstant(index + 1).ireturn();
            code.labelBinding(go);
        }

        // ---- templates ---------------------------------------------------------------

        private void emitTemplate(Instruction in, int index, int offset, int next) {
            int completed = index + 1;
            boolean memory = in.hasModrm && in.mod != 3;
            boolean stack = in.op == Op.PUSH_R || in.op == Op.PUSH_I || in.op == Op.PUSH_E || in.op == Op.POP_R;
            if (memory || stack) {
                setInstructionEip(offset);
            }
            int size = in.size;
            switch (in.op) {
                case Op.NOP -> { }
                case Op.MOV_EG -> {
                    loadReg(size, in.reg);
                    storeE(in);
                }
                case Op.MOV_GE -> {
                    loadE(in);
                    storeReg(size, in.reg);
                }
                case Op.MOV_EI -> {
                    code.loadConstant(in.immediate);
                    storeE(in);
                }
                case Op.MOV_RI -> {
                    code.loadConstant(in.immediate);
                    storeReg(size, in.opcode & 7);
                }
                case Op.LEA -> {
                    effectiveAddress(in);
                    storeReg(size, in.reg);
                }
                case Op.ALU_EG -> {
                    int op = (in.opcode >>> 3) & 7;
                    if (op == ALU_CMP) {
                        loadE(in);
                        loadReg(size, in.reg);
                        alu(op, size);
                        code.pop();
                    } else {
                        loadEForUpdate(in);
                        loadReg(size, in.reg);
                        alu(op, size);
                        storeEUpdate(in);
                    }
                }
                case Op.ALU_GE -> {
                    int op = (in.opcode >>> 3) & 7;
                    loadReg(size, in.reg);
                    loadE(in);
                    alu(op, size);
                    if (op == ALU_CMP) code.pop();
                    else storeReg(size, in.reg);
                }
                case Op.ALU_AI -> {
                    int op = (in.opcode >>> 3) & 7;
                    loadReg(size, 0);
                    code.loadConstant(in.immediate);
                    alu(op, size);
                    if (op == ALU_CMP) code.pop();
                    else storeReg(size, 0);
                }
                case Op.ALU_EI -> {
                    int op = in.reg;
                    if (op == ALU_CMP) {
                        loadE(in);
                        code.loadConstant(in.immediate);
                        alu(op, size);
                        code.pop();
                    } else {
                        loadEForUpdate(in);
                        code.loadConstant(in.immediate);
                        alu(op, size);
                        storeEUpdate(in);
                    }
                }
                case Op.TEST_EG -> {
                    loadE(in);
                    loadReg(size, in.reg);
                    alu(ALU_AND, size);
                    code.pop();
                }
                case Op.TEST_EI -> {
                    loadE(in);
                    code.loadConstant(in.immediate);
                    alu(ALU_AND, size);
                    code.pop();
                }
                case Op.TEST_AI -> {
                    loadReg(size, 0);
                    code.loadConstant(in.immediate);
                    alu(ALU_AND, size);
                    code.pop();
                }
                case Op.INC_R, Op.DEC_R -> {
                    // The interpreter's 16/32-bit register form: the full register in, the operand size out.
                    int r = in.opcode & 7;
                    loadReg(2, r);
                    incDec(size, in.op == Op.DEC_R);
                    storeReg(size, r);
                }
                case Op.INC_E, Op.DEC_E -> {
                    loadEForUpdate(in);
                    incDec(size, in.op == Op.DEC_E);
                    storeEUpdate(in);
                }
                case Op.NOT -> {
                    loadEForUpdate(in);
                    code.iconst_m1().ixor();
                    storeEUpdate(in);
                }
                case Op.NEG -> {
                    loadEForUpdate(in);
                    code.istore(OPERAND);
                    code.iconst_0().iload(OPERAND);
                    alu(ALU_SUB, size);
                    storeEUpdate(in);
                }
                case Op.XCHG_EG -> {
                    loadEForUpdate(in);
                    code.istore(OPERAND);
                    loadReg(size, in.reg);
                    storeEUpdate(in);
                    code.iload(OPERAND);
                    storeReg(size, in.reg);
                }
                case Op.SETCC -> {
                    Label taken = code.newLabel();
                    Label done = code.newLabel();
                    conditionJump(in.opcode & 0xF, taken);
                    code.iconst_0().goto_(done);
                    code.labelBinding(taken);
                    code.iconst_1();
                    code.labelBinding(done);
                    storeE(in);
                }
                case Op.CMOV -> {
                    Label skip = code.newLabel();
                    Label move = code.newLabel();
                    loadE(in);
                    code.istore(OPERAND);
                    conditionJump(in.opcode & 0xF, move);
                    code.goto_(skip);
                    code.labelBinding(move);
                    code.iload(OPERAND);
                    storeReg(size, in.reg);
                    code.labelBinding(skip);
                }
                case Op.IMUL_GE, Op.IMUL_GEI -> {
                    if (in.op == Op.IMUL_GE) {
                        loadReg(size, in.reg);
                        code.istore(OPERAND);
                        loadE(in);
                    } else {
                        loadE(in);
                        code.istore(OPERAND);
                        code.loadConstant(in.immediate);
                    }
                    code.istore(VALUE);
                    code.aload(CPU_SLOT).loadConstant(size).iload(OPERAND).iload(VALUE);
                    code.invokevirtual(CPU, "imulTruncated", INT_INT_INT_INT);
                    storeReg(size, in.reg);
                    knownLazyOp = -1;
                }
                case Op.SHIFT_I, Op.SHIFT_1, Op.SHIFT_CL -> {
                    loadEForUpdate(in);
                    code.istore(OPERAND);
                    code.aload(CPU_SLOT).loadConstant(in.reg).loadConstant(size).iload(OPERAND);
                    if (in.op == Op.SHIFT_I) code.loadConstant(in.immediate);
                    else if (in.op == Op.SHIFT_1) code.loadConstant(1);
                    else {
                        loadReg(2, 1);
                        code.loadConstant(0xFF).iand();
                    }
                    code.invokevirtual(CPU, "shift", INT_INT_INT_INT_INT);
                    storeEUpdate(in);
                    knownLazyOp = -1;
                }
                case Op.MOVZX, Op.MOVSX -> {
                    boolean byteSource = (in.opcode & 1) == 0;
                    int sourceSize = byteSource ? 0 : 1;
                    if (in.mod == 3) loadReg(sourceSize, in.rm);
                    else readMemory(in, sourceSize);
                    if (in.op == Op.MOVSX) {
                        if (byteSource) code.i2b();
                        else code.i2s();
                    }
                    storeReg(size, in.reg);
                }
                case Op.PUSH_R -> {
                    code.aload(CPU_SLOT).loadConstant(size);
                    loadReg(2, in.opcode & 7);
                    code.invokevirtual(CPU, "push", VOID_INT_INT);
                }
                case Op.PUSH_I -> code.aload(CPU_SLOT).loadConstant(size).loadConstant(in.immediate)
                        .invokevirtual(CPU, "push", VOID_INT_INT);
                case Op.PUSH_E -> {
                    loadE(in);
                    code.istore(OPERAND);
                    code.aload(CPU_SLOT).loadConstant(size).iload(OPERAND).invokevirtual(CPU, "push", VOID_INT_INT);
                }
                case Op.POP_R -> {
                    popValue(size);
                    storeReg(size, in.opcode & 7);
                }
                case Op.JCC -> {
                    Label taken = code.newLabel();
                    conditionJump(in.opcode & 0xF, taken);
                    setEip(next);
                    code.loadConstant(completed).ireturn();
                    code.labelBinding(taken);
                    jumpRelative(in, offset, next);
                    code.loadConstant(completed).ireturn();
                }
                case Op.JMP_REL -> {
                    jumpRelative(in, offset, next);
                    code.loadConstant(completed).ireturn();
                }
                case Op.CALL_REL -> {
                    setInstructionEip(offset);
                    relativeTarget(in, next);
                    code.istore(VALUE);
                    code.aload(CPU_SLOT).iload(VALUE).invokevirtual(CPU, "checkCodeLimit", VOID_INT);
                    code.aload(CPU_SLOT).loadConstant(size);
                    eipAt(next);
                    code.invokevirtual(CPU, "push", VOID_INT_INT);
                    code.aload(CPU_SLOT).iload(VALUE).putfield(CPU, "eip", CD_int);
                    code.loadConstant(completed).ireturn();
                }
                case Op.RET_NEAR -> {
                    setInstructionEip(offset);
                    code.aload(CPU_SLOT).loadConstant(size).loadConstant(0).invokevirtual(CPU, "peek", INT_INT_INT);
                    if (size == 1) code.loadConstant(0xFFFF).iand();
                    code.istore(VALUE);
                    code.aload(CPU_SLOT).iload(VALUE).invokevirtual(CPU, "checkCodeLimit", VOID_INT);
                    code.aload(CPU_SLOT);
                    code.aload(CPU_SLOT).invokevirtual(CPU, "stackPointer", INT_NONE);
                    code.loadConstant(SIZE_BYTES[size] + (in.immediate & 0xFFFF)).iadd();
                    code.invokevirtual(CPU, "setStackPointer", VOID_INT);
                    code.aload(CPU_SLOT).iload(VALUE).putfield(CPU, "eip", CD_int);
                    code.loadConstant(completed).ireturn();
                }
                default -> throw new IllegalStateException("no template for op " + in.op);
            }
            if (!endsWithJump(in) && (memory || stack)) {
                exitIfEventPending(completed, next);
            }
        }

        /** JMP/Jcc rel: the target truncated to the operand size and checked against the CS limit. */
        private void jumpRelative(Instruction in, int offset, int next) {
            setInstructionEip(offset);
            relativeTarget(in, next);
            code.istore(VALUE);
            code.aload(CPU_SLOT).iload(VALUE).invokevirtual(CPU, "checkCodeLimit", VOID_INT);
            code.aload(CPU_SLOT).iload(VALUE).putfield(CPU, "eip", CD_int);
        }

        private void relativeTarget(Instruction in, int next) {
            eipAt(next);
            code.loadConstant(in.immediate).iadd();
            if (!in.operandSize32) code.loadConstant(0xFFFF).iand();
        }

        /** POP's read and ESP update (interpreter's popRegister): the value is left on the stack. */
        private void popValue(int size) {
            code.aload(CPU_SLOT).loadConstant(size).loadConstant(0).invokevirtual(CPU, "peek", INT_INT_INT);
            code.istore(VALUE);
            code.aload(CPU_SLOT);
            code.aload(CPU_SLOT).invokevirtual(CPU, "stackPointer", INT_NONE);
            code.loadConstant(SIZE_BYTES[size]).iadd();
            code.invokevirtual(CPU, "setStackPointer", VOID_INT);
            code.iload(VALUE);
        }

        // ---- ALU with the interpreter's lazy flags ---------------------------------------

        /** Operands a, b on the stack; leaves the result and records the lazy flags as {@code alu} does. */
        private void alu(int op, int size) {
            int mask = SIZE_MASK[size];
            if (op == ALU_ADC || op == ALU_SBB) {
                // a + b + CF or a - b - CF, with the carry kept for the lazy flags (Interpreter.alu).
                // CF comes from the previous operation, whose operands may still be in the FLAG locals.
                if (size != 2) code.loadConstant(mask).iand();
                code.istore(NEW_B);
                if (size != 2) code.loadConstant(mask).iand();
                code.istore(NEW_A);
                carry();
                code.istore(CARRY);
                code.iload(NEW_A).istore(FLAG_A);
                code.iload(NEW_B).istore(FLAG_B);
                code.iload(FLAG_A).iload(FLAG_B);
                if (op == ALU_ADC) code.iadd().iload(CARRY).iadd();
                else code.isub().iload(CARRY).isub();
                if (size != 2) code.loadConstant(mask).iand();
                code.istore(FLAG_RESULT);
                setLazyField("lazyOp", op == ALU_ADC ? LAZY_ADC : LAZY_SBB);
                setLazyField("lazySize", size);
                code.aload(CPU_SLOT).iload(FLAG_A).putfield(CPU, "lazyA", CD_int);
                code.aload(CPU_SLOT).iload(FLAG_B).putfield(CPU, "lazyB", CD_int);
                code.aload(CPU_SLOT).iload(FLAG_RESULT).putfield(CPU, "lazyResult", CD_int);
                if (op == ALU_ADC) setCarryOut(FLAG_RESULT, FLAG_A, CARRY);
                else setCarryOut(FLAG_A, FLAG_B, CARRY);
                code.iload(FLAG_RESULT);
                knownLazyOp = -1;
                return;
            }
            if (size != 2) code.loadConstant(mask).iand();
            code.istore(FLAG_B);
            if (size != 2) code.loadConstant(mask).iand();
            code.istore(FLAG_A);
            code.iload(FLAG_A).iload(FLAG_B);
            switch (op) {
                case ALU_ADD -> code.iadd();
                case ALU_OR -> code.ior();
                case ALU_AND -> code.iand();
                case ALU_XOR -> code.ixor();
                default -> code.isub();
            }
            if (size != 2) code.loadConstant(mask).iand();
            code.istore(FLAG_RESULT);
            int lazyOp = switch (op) {
                case ALU_ADD -> LAZY_ADD;
                case ALU_SUB, ALU_CMP -> LAZY_SUB;
                default -> LAZY_LOGIC;
            };
            setLazyField("lazyOp", lazyOp);
            setLazyField("lazySize", size);
            if (lazyOp != LAZY_LOGIC) {
                code.aload(CPU_SLOT).iload(FLAG_A).putfield(CPU, "lazyA", CD_int);
                code.aload(CPU_SLOT).iload(FLAG_B).putfield(CPU, "lazyB", CD_int);
            }
            switch (lazyOp) {
                case LAZY_ADD -> setCarryOut(FLAG_RESULT, FLAG_A, -1);
                case LAZY_SUB -> setCarryOut(FLAG_A, FLAG_B, -1);
                default -> setLazyField("lazyCf", 0);
            }
            code.aload(CPU_SLOT).iload(FLAG_RESULT).putfield(CPU, "lazyResult", CD_int);
            code.iload(FLAG_RESULT);
            knownLazyOp = lazyOp;
            knownLazySize = size;
        }

        /** Pushes CF as 0 or 1: from the operands when this block set the flags, else from the lazy flags (CpuState.cf). */
        private void carry() {
            Label set = code.newLabel();
            Label done = code.newLabel();
            switch (knownLazyOp) {
                case LAZY_LOGIC -> {
                    code.iconst_0();
                    return;
                }
                case LAZY_SUB -> {
                    code.iload(FLAG_A).loadConstant(Integer.MIN_VALUE).iadd();
                    code.iload(FLAG_B).loadConstant(Integer.MIN_VALUE).iadd();
                    code.if_icmplt(set);
                }
                case LAZY_ADD -> {
                    code.iload(FLAG_RESULT).loadConstant(Integer.MIN_VALUE).iadd();
                    code.iload(FLAG_A).loadConstant(Integer.MIN_VALUE).iadd();
                    code.if_icmplt(set);
                }
                default -> {
                    code.aload(CPU_SLOT).invokevirtual(CPU, "cf", BOOLEAN_NONE);
                    return;
                }
            }
            code.iconst_0().goto_(done);
            code.labelBinding(set);
            code.iconst_1();
            code.labelBinding(done);
        }

        /**
         * {@code lazyCf} = the carry out of {@code low < high} unsigned (or {@code <=} with a carry in):
         * (compareUnsigned(low, high) - carryIn) >>> 31, as Interpreter.alu computes it.
         */
        private void setCarryOut(int lowSlot, int highSlot, int carryInSlot) {
            code.aload(CPU_SLOT).iload(lowSlot).iload(highSlot)
                    .invokestatic(CD_Integer, "compareUnsigned", INT_INT_INT);
            if (carryInSlot >= 0) code.iload(carryInSlot).isub();
            code.loadConstant(31).iushr().putfield(CPU, "lazyCf", CD_int);
        }

        /**
         * INC/DEC of the value on the stack (Interpreter.incDec): CF is kept, so it becomes the
         * pending operation's {@code lazyCf}; the rest become lazy.
         */
        private void incDec(int size, boolean decrement) {
            int mask = SIZE_MASK[size];
            if (size != 2) code.loadConstant(mask).iand();
            code.istore(NEW_A);
            code.aload(CPU_SLOT);
            carry();
            code.putfield(CPU, "lazyCf", CD_int);
            code.iload(NEW_A).istore(FLAG_A);
            code.iload(FLAG_A).iconst_1();
            if (decrement) code.isub();
            else code.iadd();
            if (size != 2) code.loadConstant(mask).iand();
            code.istore(FLAG_RESULT);
            int lazyOp = decrement ? LAZY_DEC : LAZY_INC;
            setLazyField("lazyOp", lazyOp);
            setLazyField("lazySize", size);
            code.aload(CPU_SLOT).iload(FLAG_A).putfield(CPU, "lazyA", CD_int);
            setLazyField("lazyB", 1);
            code.aload(CPU_SLOT).iload(FLAG_RESULT).putfield(CPU, "lazyResult", CD_int);
            code.iload(FLAG_RESULT);
            knownLazyOp = lazyOp;
            knownLazySize = size;
        }

        private void setLazyField(String name, int value) {
            code.aload(CPU_SLOT).loadConstant(value).putfield(CPU, name, CD_int);
        }

        /**
         * Branches to {@code taken} when condition {@code cc} holds (SDM vol. 2, B.1.4.7). After a
         * SUB/CMP or logic operation earlier in this block the condition comes straight from the
         * operands in locals; otherwise from the interpreter's lazy flags.
         */
        private void conditionJump(int cc, Label taken) {
            boolean negate = (cc & 1) != 0;
            int test = cc >>> 1;
            int size = knownLazySize;
            int sign = SIGN_BIT[size];
            int shift = 32 - 8 * SIZE_BYTES[size];
            if (knownLazyOp == LAZY_SUB && test != 5) {
                switch (test) {
                    case 0 -> { // OF: ((a ^ b) & (a ^ r) & sign) != 0
                        code.iload(FLAG_A).iload(FLAG_B).ixor().iload(FLAG_A).iload(FLAG_RESULT).ixor().iand();
                        code.loadConstant(sign).iand();
                        branch(negate, taken, true);
                    }
                    case 1, 3 -> { // CF: a < b unsigned; BE: a <= b unsigned
                        code.iload(FLAG_A).loadConstant(Integer.MIN_VALUE).iadd();
                        code.iload(FLAG_B).loadConstant(Integer.MIN_VALUE).iadd();
                        compare(test == 1, negate, taken);
                    }
                    case 2 -> { // ZF
                        code.iload(FLAG_RESULT);
                        branch(negate, taken, false);
                    }
                    case 4 -> { // SF
                        code.iload(FLAG_RESULT).loadConstant(sign).iand();
                        branch(negate, taken, true);
                    }
                    default -> { // SF != OF: a < b signed; with ZF: a <= b signed
                        code.iload(FLAG_A);
                        if (shift != 0) code.loadConstant(shift).ishl();
                        code.iload(FLAG_B);
                        if (shift != 0) code.loadConstant(shift).ishl();
                        compare(test == 6, negate, taken);
                    }
                }
                return;
            }
            if (knownLazyOp == LAZY_LOGIC && test != 5) {
                // CF = OF = 0, so SF != OF is SF.
                switch (test) {
                    case 0, 1 -> {
                        if (negate) code.goto_(taken);
                    }
                    case 2, 3 -> {
                        code.iload(FLAG_RESULT);
                        branch(negate, taken, false);
                    }
                    case 4, 6 -> {
                        code.iload(FLAG_RESULT).loadConstant(sign).iand();
                        branch(negate, taken, true);
                    }
                    default -> { // ZF or SF: the sign-extended result <= 0
                        code.iload(FLAG_RESULT);
                        if (shift != 0) code.loadConstant(shift).ishl();
                        code.loadConstant(0);
                        compare(false, negate, taken);
                    }
                }
                return;
            }
            if ((knownLazyOp == LAZY_INC || knownLazyOp == LAZY_DEC) && (test == 2 || test == 4)) {
                code.iload(FLAG_RESULT);
                if (test == 4) code.loadConstant(sign).iand();
                branch(negate, taken, test == 4);
                return;
            }
            code.aload(CPU_SLOT).loadConstant(cc).invokevirtual(CPU, "condition", BOOLEAN_INT);
            code.ifne(taken);
        }

        /** Branches on the int on the stack: to {@code taken} when it is non-zero ({@code nonZero}) or zero, inverted by {@code negate}. */
        private void branch(boolean negate, Label taken, boolean nonZero) {
            if (nonZero != negate) code.ifne(taken);
            else code.ifeq(taken);
        }

        /** Two ints on the stack: jumps when the first is below ({@code strict}) or at most the second, inverted by {@code negate}. */
        private void compare(boolean strict, boolean negate, Label taken) {
            if (strict) {
                if (negate) code.if_icmpge(taken);
                else code.if_icmplt(taken);
            } else {
                if (negate) code.if_icmpgt(taken);
                else code.if_icmple(taken);
            }
        }

        // ---- operands ------------------------------------------------------------------

        /** Pushes a register's value at an operand size (CpuState.reg). */
        private void loadReg(int size, int r) {
            switch (size) {
                case 0 -> {
                    code.aload(REGS_SLOT).loadConstant(r & 3).iaload();
                    if (r >= 4) code.loadConstant(8).iushr();
                    code.loadConstant(0xFF).iand();
                }
                case 1 -> code.aload(REGS_SLOT).loadConstant(r).iaload().loadConstant(0xFFFF).iand();
                default -> code.aload(REGS_SLOT).loadConstant(r).iaload();
            }
        }

        /** Stores the value on the stack into a register at an operand size (CpuState.setReg). */
        private void storeReg(int size, int r) {
            code.istore(VALUE);
            int index = size == 0 ? r & 3 : r;
            code.aload(REGS_SLOT).loadConstant(index);
            switch (size) {
                case 0 -> {
                    int shift = r >= 4 ? 8 : 0;
                    code.aload(REGS_SLOT).loadConstant(index).iaload().loadConstant(~(0xFF << shift)).iand();
                    code.iload(VALUE).loadConstant(0xFF).iand();
                    if (shift != 0) code.loadConstant(shift).ishl();
                    code.ior();
                }
                case 1 -> {
                    code.aload(REGS_SLOT).loadConstant(index).iaload().loadConstant(0xFFFF_0000).iand();
                    code.iload(VALUE).loadConstant(0xFFFF).iand().ior();
                }
                default -> code.iload(VALUE);
            }
            code.iastore();
        }

        /** Pushes the offset of a ModR/M memory operand (CpuState.effectiveAddress). */
        private void effectiveAddress(Instruction in) {
            code.loadConstant(in.displacement);
            if (in.base >= 0) code.aload(REGS_SLOT).loadConstant(in.base).iaload().iadd();
            if (in.index >= 0) {
                code.aload(REGS_SLOT).loadConstant(in.index).iaload();
                if (in.scale != 0) code.loadConstant(in.scale).ishl();
                code.iadd();
            }
            if (!in.addressSize32) code.loadConstant(0xFFFF).iand();
        }

        private void readMemory(Instruction in, int size) {
            effectiveAddress(in);
            code.istore(ADDRESS);
            code.aload(CPU_SLOT).loadConstant(in.segment).iload(ADDRESS);
            code.invokevirtual(CPU, "read" + SIZE_SUFFIX[size], INT_INT_INT);
        }

        private void loadE(Instruction in) {
            if (in.mod == 3) loadReg(in.size, in.rm);
            else readMemory(in, in.size);
        }

        private void storeE(Instruction in) {
            if (in.mod == 3) {
                storeReg(in.size, in.rm);
                return;
            }
            code.istore(VALUE);
            effectiveAddress(in);
            code.istore(ADDRESS);
            code.aload(CPU_SLOT).loadConstant(in.segment).iload(ADDRESS).iload(VALUE);
            code.invokevirtual(CPU, "write" + SIZE_SUFFIX[in.size], VOID_INT_INT_INT);
        }

        /** A read-modify-write destination: write access is checked before the read (Interpreter.readEForUpdate). */
        private void loadEForUpdate(Instruction in) {
            if (in.mod == 3) {
                loadReg(in.size, in.rm);
                return;
            }
            effectiveAddress(in);
            code.istore(ADDRESS);
            code.aload(CPU_SLOT).loadConstant(in.size).loadConstant(in.segment).iload(ADDRESS);
            code.invokevirtual(CPU, "writableLinear", INT_INT_INT_INT);
            code.istore(ADDRESS);
            code.aload(CPU_SLOT).iload(ADDRESS).invokevirtual(CPU, "readLinear" + SIZE_SUFFIX[in.size], INT_INT);
        }

        private void storeEUpdate(Instruction in) {
            if (in.mod == 3) {
                storeReg(in.size, in.rm);
                return;
            }
            code.istore(VALUE);
            code.aload(CPU_SLOT).iload(ADDRESS).iload(VALUE);
            code.invokevirtual(CPU, "writeLinear" + SIZE_SUFFIX[in.size], VOID_INT_INT);
        }
    }
}
