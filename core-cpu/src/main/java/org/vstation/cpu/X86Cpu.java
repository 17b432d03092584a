package org.vstation.cpu;

import java.util.function.Consumer;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;
import org.vstation.cpu.decode.Decoder;
import org.vstation.cpu.decode.Instruction;
import org.vstation.cpu.fpu.FpuContext;
import org.vstation.cpu.fpu.X87Fpu;
import org.vstation.cpu.jit.BlockCompiler;
import org.vstation.cpu.jit.CompiledBlock;

/**
 * An i686-class (Pentium II without MMX) integer processor: the run loop
 * over pre-decoded blocks, interrupt and exception dispatch, and the
 * register access the machine, tests and conformance runners use.
 *
 * <p>Guest code is decoded once into blocks of {@link Instruction}s cached
 * by physical address; a write to a page holding decoded code (reported by
 * {@link PhysicalMemory}) drops that page's blocks.
 */
public final class X86Cpu extends Interpreter implements Processor {
    /** Segment register numbers for the accessors. */
    public static final int SEG_ES = ES, SEG_CS = CS, SEG_SS = SS, SEG_DS = DS, SEG_FS = FS, SEG_GS = GS;
    /** General register numbers for the accessors, in encoding order. */
    public static final int REG_EAX = EAX, REG_ECX = ECX, REG_EDX = EDX, REG_EBX = EBX, REG_ESP = ESP, REG_EBP = EBP,
            REG_ESI = ESI, REG_EDI = EDI;

    private static final int MAX_BLOCK_INSTRUCTIONS = 64;
    private static final int BLOCK_TABLE_SIZE = 1 << 16;

    /** A run of decoded instructions that starts at one physical address and stays within its page. */
    private static final class Block {
        int physical;
        /** Bytes covered by the block's instructions, for one CS limit check per block. */
        int byteLength;
        /** Linear address of the first instruction when decoded. */
        int linear;
        /**
         * The two blocks that ran after this one most recently (a conditional
         * branch has two), most recent first, each valid while the chain epoch
         * it was linked in holds.
         */
        Block successor;
        int successorEip;
        int successorEpoch;
        Block otherSuccessor;
        int otherSuccessorEip;
        int otherSuccessorEpoch;
        boolean code32;
        int generation;
        Instruction[] instructions;
        /** Runs of this block so far, until the JIT compiles it. */
        int executions;
        CompiledBlock compiled;
    }

    /** Compiles hot blocks; shared, since it holds nothing but the lookup that makes blocks our nestmates. */
    private static final BlockCompiler COMPILER = new BlockCompiler(java.lang.invoke.MethodHandles.lookup());
    /** Runs of a block before it is compiled, unless -Dvstation.jit.threshold says otherwise. */
    private static final int DEFAULT_JIT_THRESHOLD = 10_000;
    /** -Dvstation.jit=false runs everything in the interpreter. */
    private boolean jitEnabled = Boolean.parseBoolean(System.getProperty("vstation.jit", "true"));
    private int jitThreshold = Integer.getInteger("vstation.jit.threshold", DEFAULT_JIT_THRESHOLD);
    private long compiledBlocks;

    private final Block[] blockTable = new Block[BLOCK_TABLE_SIZE];
    /** Bumped when a page's code is written: blocks of an older generation are stale. */
    private final int[] pageGeneration = new int[PhysicalMemory.PAGE_COUNT];
    /** Per page, the 64-byte chunks that decoded blocks cover. */
    private final long[] codeChunks = new long[PhysicalMemory.PAGE_COUNT];
    private static final int CHUNK_SHIFT = 6;
    /** The physical page being marked as holding code while the marking's map-change notice arrives, else -1. */
    private int markingCodePage = -1;

    private final X87Fpu fpu = new X87Fpu();
    private final FpuOperand fpuOperand = new FpuOperand();
    private Consumer<Boolean> ferrListener = asserted -> { };
    private boolean ferrAsserted;

    private long instructionCount;
    private boolean interruptRequest;
    private boolean nmiPending;
    private boolean nmiBlocked;
    private boolean halted;
    private boolean shutdown;
    private volatile boolean stopRequested;
    /** Something may need attention at the next instruction boundary. */
    private boolean eventPending;
    /** STI, MOV SS or POP SS just ran: the next instruction completes before any interrupt (SDM vol. 3, 6.8.3). */
    private boolean interruptShadow;
    /** DR7 enables at least one breakpoint: instructions run one at a time with checks. */
    private boolean breakpointsEnabled;

    /** Decoding state reused for every block (the decoder reads through these). */
    private int decodePhysical;
    private int decodeLimit;
    private boolean decodeCrossedPage;
    private int decodeLinear;
    private final Decoder.CodeSource physicalCode = offset -> {
        int address = decodePhysical + offset;
        if (offset >= decodeLimit) {
            decodeCrossedPage = true;
            return 0;
        }
        return memory.read8(address & 0xFFFF_FFFFL);
    };
    private final Decoder.CodeSource linearCode = offset -> readLinear8(decodeLinear + offset);

    public X86Cpu(PhysicalMemory memory, IoBus io, InterruptController interruptController, TimeSource clock) {
        super(memory, io, interruptController, clock);
        memory.addMapChangeListener(this::memoryMapChanged);
        memory.setCodeWriteListener(this::codeWritten);
        reset();
    }

    // ---- Processor --------------------------------------------------------------

    @Override
    public void reset() {
        java.util.Arrays.fill(regs, 0);
        regs[EDX] = 0x0633;
        lazyOp = LAZY_NONE;
        flags = 2;
        cr0 = CR0_ET | CR0_CD | CR0_NW;
        cr2 = 0;
        cr3 = 0;
        cr4 = 0;
        java.util.Arrays.fill(debugRegisters, 0);
        debugRegisters[6] = 0xFFFF_0FF0;
        debugRegisters[7] = 0x400;
        breakpointsEnabled = false;
        dataBreakpointsEnabled = false;
        for (SegmentRegister s : segments) {
            s.limit = 0xFFFF;
            s.load(0, 0, 0xFFFF, 0x93, true);
        }
        segments[CS].load(0xF000, 0xFFFF_0000, 0xFFFF, 0x9B, true);
        code32 = false;
        stack32 = false;
        gdtBase = 0;
        gdtLimit = 0xFFFF;
        idtBase = 0;
        idtLimit = 0xFFFF;
        ldtr.load(0, 0, 0xFFFF, 0x82, true);
        taskRegister.load(0, 0, 0xFFFF, 0x8B, true);
        eip = 0xFFF0;
        cpl = 0;
        selectTlb();
        mmu.configure(false, false, false, false, 0);
        sysenterCs = 0;
        sysenterEsp = 0;
        sysenterEip = 0;
        tscOffset = -clock.nanos();
        performanceCounters.reset();
        halted = false;
        shutdown = false;
        nmiPending = false;
        nmiBlocked = false;
        interruptShadow = false;
        fpu.reset();
        setFerr(false);
        updateEvents();
    }

    @Override
    public StopReason run(long instructionBudget) {
        long end = instructionCount + instructionBudget;
        Block previous = null;
        try {
            while (instructionCount < end) {
                if (stopRequested) {
                    stopRequested = false;
                    return StopReason.STOP_REQUESTED;
                }
                if (shutdown) {
                    return StopReason.SHUTDOWN;
                }
                if (eventPending) {
                    serviceEvents();
                    if (shutdown) return StopReason.SHUTDOWN;
                    if (halted) return StopReason.HALTED;
                }
                try {
                    if ((flags & TF) != 0 || breakpointsEnabled) {
                        previous = null;
                        stepWithDebugChecks();
                    } else {
                        Block block = chainedBlock(previous);
                        previous = null;
                        executeBlock(block);
                        previous = block;
                    }
                } catch (CpuException e) {
                    previous = null;
                    eip = instructionEip;
                    dispatchException(e.vector, e.errorCode);
                }
            }
            return StopReason.BUDGET_EXHAUSTED;
        } catch (CpuInternalError e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new CpuInternalError("internal error at " + describeState() + ": " + e, e);
        }
    }

    @Override
    public void setInterruptRequest(boolean asserted) {
        interruptRequest = asserted;
        updateEvents();
    }

    @Override
    public void raiseNmi() {
        nmiPending = true;
        updateEvents();
    }

    @Override
    public void requestStop() {
        stopRequested = true;
    }

    @Override
    public long instructionCount() {
        return instructionCount;
    }

    @Override
    public String describeState() {
        String mode = !protectedMode() ? "real" : v86Mode() ? "v86" : (code32 ? "pm32" : "pm16") + " cpl" + cpl;
        return String.format("CS:EIP=%04x:%08x (%s) EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x EBP=%08x "
                        + "ESP=%08x SS=%04x DS=%04x ES=%04x EFLAGS=%08x CR0=%08x CR3=%08x",
                segments[CS].selector, instructionEip, mode, regs[EAX], regs[EBX], regs[ECX], regs[EDX], regs[ESI],
                regs[EDI], regs[EBP], regs[ESP], segments[SS].selector, segments[DS].selector, segments[ES].selector,
                eflags(), cr0, cr3);
    }

    // ---- wiring for the machine -------------------------------------------------------

    /** The chipset's A20 gate: when off, physical address bit 20 is forced to zero. */
    @Override
    public void setA20Enabled(boolean enabled) {
        mmu.setA20Enabled(enabled);
        chainEpoch++;
        invalidateAllBlocks();
    }

    /** FERR# output of the x87 (routed to IRQ 13 by the machine when CR0.NE = 0). */
    @Override
    public void setFerrListener(Consumer<Boolean> listener) {
        ferrListener = listener;
    }

    // ---- register access for tests, the conformance runner and debuggers -------------------

    public int register(int index) {
        return regs[index];
    }

    public void setRegister(int index, int value) {
        regs[index] = value;
    }

    public int eip() {
        return eip;
    }

    public void setEip(int value) {
        eip = value;
        instructionEip = value;
    }

    public int getEflags() {
        return eflags();
    }

    public void setEflags(int value) {
        lazyOp = LAZY_NONE;
        flags = (value & WRITABLE_FLAGS) | 2;
        updateEvents();
    }

    public int segmentSelector(int segment) {
        return segments[segment].selector;
    }

    public int segmentBase(int segment) {
        return segments[segment].base;
    }

    public int segmentLimit(int segment) {
        return segments[segment].limit;
    }

    public int segmentAttributes(int segment) {
        return segments[segment].attributes;
    }

    /** Loads a segment register as real mode does: base = selector × 16, limit 64 KiB, read/write. */
    public void setRealModeSegment(int segment, int selector) {
        SegmentRegister s = segments[segment];
        s.load(selector, (selector & 0xFFFF) << 4, 0xFFFF, segment == CS ? 0x9B : 0x93, true);
        s.allowReadWrite();
        if (segment == CS) code32 = false;
        if (segment == SS) stack32 = false;
    }

    /** Loads a segment register's selector and hidden cache directly. */
    public void setSegment(int segment, int selector, int base, int limit, int attributes) {
        segments[segment].load(selector, base, limit, attributes, (attributes & SegmentRegister.PRESENT) != 0);
        if (segment == CS) {
            code32 = segments[CS].big;
            setCpl(protectedMode() && !v86Mode() ? selector & 3 : v86Mode() ? 3 : 0);
        }
        if (segment == SS) stack32 = segments[SS].big;
    }

    public int cr0() {
        return cr0;
    }

    public int cr2() {
        return cr2;
    }

    public int cr3() {
        return cr3;
    }

    public int cr4() {
        return cr4;
    }

    public void setControlRegister(int index, int value) {
        switch (index) {
            case 0 -> writeCr0Unchecked(value);
            case 2 -> cr2 = value;
            case 3 -> writeCr3(value);
            case 4 -> writeCr4Unchecked(value);
            default -> throw new IllegalArgumentException("no CR" + index);
        }
    }

    public void setDescriptorTable(boolean interruptTable, int base, int limit) {
        if (interruptTable) {
            idtBase = base;
            idtLimit = limit;
        } else {
            gdtBase = base;
            gdtLimit = limit;
        }
    }

    /** Turns the JIT tier on or off, keeping the configured threshold. */
    public void setJitEnabled(boolean enabled) {
        jitEnabled = enabled;
    }

    /** Turns the JIT on or off; a block is compiled on its {@code threshold}-th run (at least 1). */
    public void configureJit(boolean enabled, int threshold) {
        jitEnabled = enabled;
        jitThreshold = Math.max(1, threshold);
    }

    /** Blocks the JIT has compiled since this processor was made. */
    public long compiledBlockCount() {
        return compiledBlocks;
    }

    public int currentPrivilegeLevel() {
        return cpl;
    }

    public boolean isHalted() {
        return halted;
    }

    // ---- control registers -----------------------------------------------------------------

    @Override
    void writeCr0(int value) {
        if ((value & CR0_PG) != 0 && (value & CR0_PE) == 0) throw raise(GP, 0);
        if ((value & CR0_NW) != 0 && (value & CR0_CD) == 0) throw raise(GP, 0);
        writeCr0Unchecked(value);
    }

    private void writeCr0Unchecked(int value) {
        int old = cr0;
        cr0 = value | CR0_ET;
        updateAlignmentCheck();
        if (((old ^ cr0) & CR0_PE) != 0) {
            code32 = (cr0 & CR0_PE) != 0 && segments[CS].big;
            if ((cr0 & CR0_PE) == 0) {
                setCpl(0);
            }
        }
        if (((old ^ cr0) & (CR0_PG | CR0_WP | CR0_PE)) != 0) {
            configureMmu();
        }
    }

    @Override
    void writeCr3(int value) {
        cr3 = value;
        mmu.switchPageDirectory(value);
        chainEpoch++;
    }

    @Override
    void writeCr4(int value) {
        if ((value & ~(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE)) != 0) throw raise(GP, 0);
        writeCr4Unchecked(value);
    }

    private void writeCr4Unchecked(int value) {
        cr4 = value;
        configureMmu();
    }

    private void configureMmu() {
        mmu.configure((cr0 & CR0_PG) != 0, (cr0 & CR0_WP) != 0, (cr4 & CR4_PSE) != 0, (cr4 & CR4_PGE) != 0, cr3);
        chainEpoch++;
    }

    @Override
    void invalidatePage(int linear) {
        mmu.invalidatePage(linear);
        chainEpoch++;
    }

    // ---- blocks ----------------------------------------------------------------------------

    private void memoryMapChanged() {
        if (markingCodePage >= 0) {
            // Only that page changed: its writes must now leave the TLB's direct path so they reach codeWritten.
            mmu.dropWritesTo(markingCodePage);
            return;
        }
        mmu.flush();
        chainEpoch++;
        invalidateAllBlocks();
    }

    private void invalidateAllBlocks() {
        java.util.Arrays.fill(blockTable, null);
    }

    /**
     * A write reached a page holding decoded code. Only a write into one of
     * the 64-byte chunks that decoded blocks cover drops the page's blocks, so
     * data that shares a page with code does not force re-decoding.
     */
    private void codeWritten(long physicalAddress, int size) {
        long address = physicalAddress & 0xFFFF_FFFFL;
        long end = address + size;
        while (address < end) {
            int page = (int) (address >>> PhysicalMemory.PAGE_SHIFT);
            long pageEnd = Math.min(end, ((long) page + 1) << PhysicalMemory.PAGE_SHIFT);
            long touched = chunkMask((int) address & 0xFFF, (int) (pageEnd - address));
            if ((codeChunks[page] & touched) != 0) {
                pageGeneration[page]++;
                codeChunks[page] = 0;
                memory.clearCodePage(page);
                chainEpoch++;
                eventPending = true;
            }
            address = pageEnd;
        }
    }

    /** Bits of the 64-byte chunks covering {@code length} bytes from {@code offset} within a page. */
    private static long chunkMask(int offset, int length) {
        int first = offset >>> CHUNK_SHIFT;
        int last = (offset + length - 1) >>> CHUNK_SHIFT;
        long upTo = last == 63 ? -1L : (1L << (last + 1)) - 1;
        return upTo & (-1L << first);
    }

    /** The block at CS:EIP, through a link from the previous block when one is still valid. */
    private Block chainedBlock(Block previous) {
        if (previous != null) {
            if (previous.successorEip == eip && previous.successorEpoch == chainEpoch && continues(previous.successor)) {
                instructionEip = eip;
                return previous.successor;
            }
            if (previous.otherSuccessorEip == eip && previous.otherSuccessorEpoch == chainEpoch
                    && continues(previous.otherSuccessor)) {
                instructionEip = eip;
                return previous.otherSuccessor;
            }
            int startEip = eip;
            int epoch = chainEpoch;
            Block block = fetchBlock();
            if (block.physical != -1 && epoch == chainEpoch) {
                previous.otherSuccessor = previous.successor;
                previous.otherSuccessorEip = previous.successorEip;
                previous.otherSuccessorEpoch = previous.successorEpoch;
                previous.successor = block;
                previous.successorEip = startEip;
                previous.successorEpoch = epoch;
            }
            return block;
        }
        return fetchBlock();
    }

    /** A linked block still runs at CS:EIP: same mode, same linear address, and its page's code unchanged. */
    private boolean continues(Block next) {
        return next != null && next.code32 == code32 && next.linear == segments[CS].base + eip
                && next.generation == pageGeneration[next.physical >>> 12];
    }

    private Block fetchBlock() {
        instructionEip = eip;
        int linear = segments[CS].base + eip;
        int page = linear >>> 12;
        int slot = page & org.vstation.cpu.mmu.Mmu.TLB_MASK;
        int physical;
        if (tlbReadTag[slot] == page) {
            physical = tlbReadBase[slot] | (linear & 0xFFF);
        } else {
            physical = (int) translate(linear, false, userAccess());
        }
        int physicalPage = physical >>> 12;
        Block block = blockTable[(physical ^ (physical >>> 16)) & (BLOCK_TABLE_SIZE - 1)];
        if (block != null && block.physical == physical && block.code32 == code32
                && block.generation == pageGeneration[physicalPage]) {
            return block;
        }
        return decodeBlock(linear, physical);
    }

    private Block decodeBlock(int linear, int physical) {
        int physicalPage = physical >>> 12;
        Instruction[] buffer = new Instruction[MAX_BLOCK_INSTRUCTIONS];
        int count = 0;
        int offset = 0;
        int pageEnd = 0x1000 - (physical & 0xFFF);
        while (count < MAX_BLOCK_INSTRUCTIONS && offset < pageEnd) {
            Instruction in = new Instruction();
            decodePhysical = physical + offset;
            decodeLimit = pageEnd - offset;
            decodeCrossedPage = false;
            Decoder.decode(in, physicalCode, code32);
            if (decodeCrossedPage) {
                if (count > 0) {
                    break;
                }
                // An instruction that straddles two pages is fetched through the MMU and not cached.
                decodeLinear = linear;
                Decoder.decode(in, linearCode, code32);
                Block single = new Block();
                single.physical = -1;
                single.instructions = new Instruction[] {in};
                single.byteLength = in.length;
                return single;
            }
            buffer[count++] = in;
            offset += in.length;
            if (in.endsBlock) {
                break;
            }
        }
        Block block = new Block();
        block.physical = physical;
        block.code32 = code32;
        block.instructions = java.util.Arrays.copyOf(buffer, count);
        block.byteLength = offset;
        block.linear = linear;
        if (memory.readsRam(physicalPage)) {
            markingCodePage = physicalPage;
            try {
                memory.markCodePage(physicalPage);
            } finally {
                markingCodePage = -1;
            }
            block.generation = pageGeneration[physicalPage];
            codeChunks[physicalPage] |= chunkMask(physical & 0xFFF, Math.max(offset, 1));
            blockTable[(physical ^ (physical >>> 16)) & (BLOCK_TABLE_SIZE - 1)] = block;
        }
        return block;
    }

    /**
     * Runs a block until its end or until something needs attention. The
     * instruction count is updated once per block; a faulting instruction is
     * not counted.
     */
    private void executeBlock(Block block) {
        int csLimit = segments[CS].limit;
        int last = eip + block.byteLength - 1;
        boolean withinLimit = Integer.compareUnsigned(last, csLimit) <= 0 && Integer.compareUnsigned(eip, last) <= 0;
        if (withinLimit && jitEnabled && block.physical != -1) {
            if (block.compiled == null && ++block.executions >= jitThreshold) {
                block.compiled = COMPILER.compile(block.instructions, block.code32);
                compiledBlocks++;
            }
            if (block.compiled != null) {
                runCompiled(block);
                return;
            }
        }
        if (withinLimit && code32) {
            runWithinLimit32(block.instructions);
        } else {
            runCheckingLimit(block.instructions, csLimit);
        }
    }

    /**
     * The block loop for 32-bit code that lies within the CS limit: nothing to
     * check per instruction, and few values live across the loop, so C2 keeps
     * them in registers. Only a block's last instruction can change the code
     * size or CS (every such instruction ends its block), so each
     * instruction's EIP follows from the previous one.
     */
    private void runWithinLimit32(Instruction[] instructions) {
        int executed = 0;
        int start = eip;
        try {
            while (executed < instructions.length) {
                Instruction in = instructions[executed];
                instructionEip = start;
                int next = start + in.length;
                eip = next;
                execute(in);
                executed++;
                // A string instruction that pauses mid-way rewinds EIP to itself, so the rest of the
                // block must not run yet; any other change of flow ends the block too.
                if (eventPending || eip != next) {
                    return;
                }
                start = next;
            }
        } finally {
            instructionCount += executed;
        }
    }

    /** The block loop for 16-bit code or a block that reaches past the CS limit: #GP(0) at the first instruction beyond it. */
    private void runCheckingLimit(Instruction[] instructions, int csLimit) {
        int executed = 0;
        int eipMask = code32 ? -1 : 0xFFFF;
        int start = eip;
        try {
            while (executed < instructions.length) {
                Instruction in = instructions[executed];
                instructionEip = start;
                if (Integer.compareUnsigned(start + in.length - 1, csLimit) > 0) {
                    throw raise(GP, 0);
                }
                int next = (start + in.length) & eipMask;
                eip = next;
                execute(in);
                executed++;
                if (eventPending || eip != next) {
                    return;
                }
                start = next;
            }
        } finally {
            instructionCount += executed;
        }
    }

    /** Runs a compiled block; on a fault, counts the instructions before the faulting one, as the loop above does. */
    private void runCompiled(Block block) {
        int entry = eip;
        try {
            instructionCount += block.compiled.run(this, entry);
        } catch (CpuException e) {
            int at = entry;
            int completed = 0;
            while (completed < block.instructions.length && at != instructionEip) {
                at += block.instructions[completed++].length;
                if (!code32) at &= 0xFFFF;
            }
            instructionCount += completed;
            throw e;
        }
    }

    /** Executes one instruction, then raises the single-step trap or instruction breakpoints (SDM vol. 3, 17.3). */
    private void stepWithDebugChecks() {
        instructionEip = eip;
        int linear = segments[CS].base + eip;
        if ((flags & RF) == 0 && instructionBreakpointHit(linear)) {
            return;
        }
        boolean trap = (flags & TF) != 0;
        Block block = fetchBlock();
        Instruction in = block.instructions[0];
        int start = eip;
        if (Integer.compareUnsigned(start + in.length - 1, segments[CS].limit) > 0) {
            throw raise(GP, 0);
        }
        eip = code32 ? start + in.length : (start + in.length) & 0xFFFF;
        flags &= ~RF;
        dataBreakpointHits = 0;
        execute(in);
        instructionCount++;
        if (dataBreakpointHits != 0 && !halted) {
            debugRegisters[6] = (debugRegisters[6] & ~0xF) | dataBreakpointHits | (trap ? 0x4000 : 0);
            deliverTrap(DB);
            return;
        }
        // MOV SS and POP SS hold the single-step trap back until after the next instruction (SDM vol. 3, 6.8.3).
        boolean stackLoad = (in.op == org.vstation.cpu.decode.Op.MOV_SEG_E && in.reg == SS)
                || (in.op == org.vstation.cpu.decode.Op.POP_SEG && in.opcode == 0x17);
        if (trap && !halted && !stackLoad) {
            debugRegisters[6] |= 0x4000;
            deliverTrap(DB);
        }
    }

    private boolean instructionBreakpointHit(int linear) {
        int dr7 = debugRegisters[7];
        for (int i = 0; i < 4; i++) {
            boolean enabled = ((dr7 >>> (i * 2)) & 3) != 0;
            boolean execute = ((dr7 >>> (16 + i * 4)) & 3) == 0;
            if (enabled && execute && debugRegisters[i] == linear) {
                debugRegisters[6] = (debugRegisters[6] & ~0xF) | (1 << i);
                dispatchException(DB, CpuException.NO_ERROR_CODE);
                flags |= RF;
                return true;
            }
        }
        return false;
    }

    private void deliverTrap(int vector) {
        try {
            deliverInterrupt(vector, CpuException.NO_ERROR_CODE, false, false);
            updateEvents();
        } catch (CpuException e) {
            dispatchException(e.vector, e.errorCode);
        }
    }

    @Override
    void writeDebugRegister(int index, int value) {
        super.writeDebugRegister(index, value);
        int dr7 = debugRegisters[7];
        breakpointsEnabled = (dr7 & 0xFF) != 0;
        dataBreakpointsEnabled = false;
        for (int i = 0; i < 4; i++) {
            int rw = (dr7 >>> (16 + i * 4)) & 3;
            if (((dr7 >>> (i * 2)) & 3) != 0 && (rw == 1 || rw == 3)) dataBreakpointsEnabled = true;
        }
    }

    // ---- events, interrupts and exceptions -------------------------------------------------

    private void updateEvents() {
        updateAlignmentCheck();
        eventPending = nmiPending || (interruptRequest && (flags & IF) != 0) || halted || shutdown;
    }

    @Override
    void flagsChanged() {
        updateEvents();
    }

    @Override
    void onFlagsReloaded() {
        updateEvents();
    }

    @Override
    void setEflags(int value, int changeable) {
        super.setEflags(value, changeable);
        updateEvents();
    }

    @Override
    void inhibitInterrupts() {
        interruptShadow = true;
        eventPending = true;
    }

    @Override
    long instructionsRetired() {
        return instructionCount;
    }

    @Override
    void halt() {
        halted = true;
        eventPending = true;
    }

    private void serviceEvents() {
        eventPending = false;
        if (interruptShadow) {
            // Run exactly one more instruction (the block stops after it), then look again.
            interruptShadow = false;
            eventPending = true;
            return;
        }
        if (nmiPending && !nmiBlocked) {
            nmiPending = false;
            nmiBlocked = true;
            halted = false;
            deliverExternal(NMI_VECTOR);
        } else if (interruptRequest && (flags & IF) != 0) {
            halted = false;
            int vector = interruptController.acknowledgeInterrupt() & 0xFF;
            deliverExternal(vector);
        }
        updateEvents();
        if (halted && !(interruptRequest && (flags & IF) != 0) && !nmiPending) {
            eventPending = true;
        }
    }

    private void deliverExternal(int vector) {
        instructionEip = eip;
        try {
            deliverInterrupt(vector, CpuException.NO_ERROR_CODE, false, true);
        } catch (CpuException e) {
            eip = instructionEip;
            dispatchException(e.vector, e.errorCode);
        }
    }

    /** Exception classes for the double-fault rules (SDM vol. 3, table 6-5). */
    private static boolean contributory(int vector) {
        return vector == DE || vector == TS || vector == NP || vector == SS_VECTOR || vector == GP;
    }

    private void dispatchException(int vector, int errorCode) {
        int current = vector;
        int code = errorCode;
        while (true) {
            try {
                deliverInterrupt(current, code, false, false);
                updateEvents();
                return;
            } catch (CpuException nested) {
                eip = instructionEip;
                if (current == DF_VECTOR) {
                    shutdown = true;
                    eventPending = true;
                    return;
                }
                int second = nested.vector;
                boolean isDouble = (contributory(current) && contributory(second))
                        || (current == PF_VECTOR && (second == PF_VECTOR || contributory(second)));
                if (isDouble) {
                    current = DF_VECTOR;
                    code = 0;
                } else {
                    current = second;
                    code = nested.errorCode;
                }
            }
        }
    }

    @Override
    void interruptReturnCompleted() {
        nmiBlocked = false;
    }

    // ---- x87 ----------------------------------------------------------------------------------

    /** The memory operand of the x87 instruction being executed. */
    private final class FpuOperand implements FpuContext {
        Instruction instruction;
        int offset;
        boolean toAx;

        @Override
        public int readOperand(int displacement, int size) {
            if (toAx) return regs[EAX] & 0xFFFF;
            int address = operandAddress(displacement);
            return switch (size) {
                case 1 -> read8(instruction.segment, address);
                case 2 -> read16(instruction.segment, address);
                default -> read32(instruction.segment, address);
            };
        }

        @Override
        public void writeOperand(int displacement, int size, int value) {
            if (toAx) {
                setReg(1, EAX, value);
                return;
            }
            int address = operandAddress(displacement);
            switch (size) {
                case 1 -> write8(instruction.segment, address, value);
                case 2 -> write16(instruction.segment, address, value);
                default -> write32(instruction.segment, address, value);
            }
        }

        private int operandAddress(int displacement) {
            int address = offset + displacement;
            return instruction.addressSize32 ? address : address & 0xFFFF;
        }

        @Override
        public boolean operandSize32() {
            return instruction.operandSize32;
        }

        @Override
        public boolean protectedMode() {
            return X86Cpu.this.protectedMode() && !v86Mode();
        }

        @Override
        public int eflags() {
            return X86Cpu.this.eflags();
        }

        @Override
        public void setEflags(int value) {
            lazyOp = LAZY_NONE;
            flags = (value & WRITABLE_FLAGS) | 2;
        }

        @Override
        public int instructionSelector() {
            return segments[CS].selector;
        }

        @Override
        public int instructionOffset() {
            return instructionEip;
        }

        @Override
        public int operandSelector() {
            return instruction.mod == 3 || toAx ? 0 : segments[instruction.segment].selector;
        }

        @Override
        public int operandOffset() {
            return instruction.mod == 3 || toAx ? 0 : offset;
        }
    }

    /** FNINIT, FNCLEX, FNSTENV, FNSTCW, FNSAVE, FNSTSW: the x87 forms that do not wait for pending errors. */
    private static final int FNSTSW_MEMORY_MODRM = 0x38;

    private static boolean nonWaiting(Instruction in) {
        int op = in.opcode;
        int modrm = in.modrm;
        return (op == 0xDB && (modrm == 0xE2 || modrm == 0xE3))
                || (op == 0xD9 && in.mod != 3 && (in.reg == 6 || in.reg == 7))
                || (op == 0xDD && in.mod != 3 && (in.reg == 6 || in.reg == 7))
                || (op == 0xDF && modrm == 0xE0);
    }

    @Override
    void escape(Instruction in) {
        if ((cr0 & (CR0_EM | CR0_TS)) != 0) throw raise(NM);
        if (!nonWaiting(in)) {
            checkPendingFpuError();
        }
        fpuOperand.instruction = in;
        if (in.opcode == 0xDF && in.modrm == 0xE0) {
            // FNSTSW AX: run as FNSTSW m16 (DD /7) with the operand redirected to AX.
            fpuOperand.toAx = true;
            fpu.execute(0xDD, FNSTSW_MEMORY_MODRM, fpuOperand);
            fpuOperand.toAx = false;
        } else {
            fpuOperand.offset = in.mod == 3 ? 0 : effectiveAddress(in);
            fpu.execute(in.opcode, in.modrm, fpuOperand);
        }
        if ((cr0 & CR0_NE) == 0) {
            setFerr(fpu.hasPendingUnmaskedException());
        } else {
            setFerr(false);
        }
    }

    @Override
    void waitForFpu() {
        if ((cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) throw raise(NM);
        checkPendingFpuError();
    }

    private void checkPendingFpuError() {
        if (fpu.hasPendingUnmaskedException()) {
            if ((cr0 & CR0_NE) != 0) throw raise(MF);
            setFerr(true);
        }
    }

    private void setFerr(boolean asserted) {
        if (asserted != ferrAsserted) {
            ferrAsserted = asserted;
            ferrListener.accept(asserted);
        }
    }
}
