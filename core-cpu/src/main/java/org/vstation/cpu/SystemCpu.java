package org.vstation.cpu;

import org.vstation.cpu.bus.InterruptController;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.bus.TimeSource;

/**
 * Protected-mode machinery (Intel SDM vol. 3, chapters 3, 5, 6 and 7):
 * descriptor fetches, segment register loads with their checks, far
 * transfers through call gates, interrupt and exception delivery through
 * the IVT or IDT with stack switches from the TSS, IRET, and hardware task
 * switches.
 */
abstract class SystemCpu extends CpuState {
    // system descriptor types (SDM vol. 3, table 3-2)
    static final int TSS16_AVAILABLE = 1, LDT_TYPE = 2, TSS16_BUSY = 3, CALL_GATE16 = 4, TASK_GATE = 5,
            INTERRUPT_GATE16 = 6, TRAP_GATE16 = 7, TSS32_AVAILABLE = 9, TSS32_BUSY = 11, CALL_GATE32 = 12,
            INTERRUPT_GATE32 = 14, TRAP_GATE32 = 15;

    /** Why a task switch happens: decides busy bits, NT and the back link (SDM vol. 3, 7.3). */
    static final int SWITCH_JMP = 0, SWITCH_CALL = 1, SWITCH_IRET = 2;

    private static final int[] DATA_SEGMENTS = {ES, DS, FS, GS};

    SystemCpu(PhysicalMemory memory, IoBus io, InterruptController interruptController, TimeSource clock) {
        super(memory, io, interruptController, clock);
    }

    // ---- descriptors -------------------------------------------------------------

    static int descriptorBase(long d) {
        int low = (int) d;
        int high = (int) (d >>> 32);
        return (low >>> 16) | (high & 0xFF) << 16 | (high & 0xFF00_0000);
    }

    static int descriptorLimit(long d) {
        int low = (int) d;
        int high = (int) (d >>> 32);
        int limit = (low & 0xFFFF) | (high & 0x000F_0000);
        return (high & 0x0080_0000) != 0 ? limit << 12 | 0xFFF : limit;
    }

    /** Access byte in bits 0-7, AVL/L/D/G in bits 8-11, as {@link SegmentRegister#attributes}. */
    static int descriptorAttributes(long d) {
        int high = (int) (d >>> 32);
        return (high >>> 8) & 0xFF | (high >>> 12) & 0xF00;
    }

    static int descriptorDpl(long d) {
        return (int) (d >>> 45) & 3;
    }

    static boolean descriptorPresent(long d) {
        return (d & (1L << 47)) != 0;
    }

    /** S = 1: code or data; S = 0: system. */
    static boolean isCodeOrData(long d) {
        return (d & (1L << 44)) != 0;
    }

    static int descriptorType(long d) {
        return (int) (d >>> 40) & 0xF;
    }

    static boolean isCode(long d) {
        return isCodeOrData(d) && (descriptorType(d) & 8) != 0;
    }

    static boolean isConformingCode(long d) {
        return isCodeOrData(d) && (descriptorType(d) & 0xC) == 0xC;
    }

    /** Linear address of a selector's descriptor, or -1 when it lies beyond the table limit. */
    final int descriptorAddress(int selector) {
        int index = selector & 0xFFF8;
        if ((selector & 4) != 0) {
            if (ldtr.selector == 0 || (ldtr.attributes & SegmentRegister.PRESENT) == 0
                    || index + 7 > (ldtr.limit & 0xFFFF_FFFFL)) {
                return -1;
            }
            return ldtr.base + index;
        }
        if (index + 7 > gdtLimit) {
            return -1;
        }
        return gdtBase + index;
    }

    /** Fetches the descriptor of a selector or raises {@code vector} with the selector as error code. */
    final long fetchDescriptor(int selector, int vector) {
        int address = descriptorAddress(selector);
        if (address == -1) {
            throw raise(vector, selector & 0xFFFC);
        }
        return (readSystem32(address) & 0xFFFF_FFFFL) | (long) readSystem32(address + 4) << 32;
    }

    final void setAccessedBit(int selector) {
        int address = descriptorAddress(selector) + 5;
        int access = readSystem8(address);
        if ((access & 1) == 0) {
            writeSystem8(address, access | 1);
        }
    }

    final void loadCache(int segment, int selector, long d) {
        segments[segment].load(selector, descriptorBase(d), descriptorLimit(d), descriptorAttributes(d), true);
        if (segment == SS) stack32 = segments[SS].big;
    }

    // ---- segment loads -----------------------------------------------------------

    /** MOV/POP/LDS-family load of a data or stack segment register (SDM vol. 3, 5.4-5.7). */
    final void loadSegment(int segment, int selector) {
        selector &= 0xFFFF;
        if (!protectedMode() || v86Mode()) {
            segments[segment].loadReal(selector);
            if (segment == SS) stack32 = segments[SS].big;
            return;
        }
        int rpl = selector & 3;
        if (segment == SS) {
            if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
            long d = fetchDescriptor(selector, GP);
            if (rpl != cpl || descriptorDpl(d) != cpl || !isCodeOrData(d) || (descriptorType(d) & 0xA) != 2) {
                throw raise(GP, selector & 0xFFFC);
            }
            if (!descriptorPresent(d)) throw raise(SS_VECTOR, selector & 0xFFFC);
            setAccessedBit(selector);
            loadCache(SS, selector, d | 1L << 40);
            return;
        }
        if ((selector & 0xFFFC) == 0) {
            segments[segment].load(selector, 0, 0, 0, false);
            return;
        }
        long d = fetchDescriptor(selector, GP);
        int type = descriptorType(d);
        if (!isCodeOrData(d) || (type & 0xA) == 8) {
            throw raise(GP, selector & 0xFFFC);
        }
        if (!isConformingCode(d) && (rpl > descriptorDpl(d) || cpl > descriptorDpl(d))) {
            throw raise(GP, selector & 0xFFFC);
        }
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
        setAccessedBit(selector);
        loadCache(segment, selector, d | 1L << 40);
    }

    /** Loads CS from a checked descriptor and makes {@code newCpl} the privilege level. */
    final void loadCodeSegment(int selector, long d, int newCpl) {
        segments[CS].load((selector & 0xFFFC) | newCpl, descriptorBase(d), descriptorLimit(d), descriptorAttributes(d) | 1, true);
        code32 = segments[CS].big;
        setCpl(newCpl);
    }

    final void setCpl(int newCpl) {
        if (newCpl != cpl) {
            cpl = newCpl;
            selectTlb();
            updateAlignmentCheck();
        }
    }

    /** Real-mode or V86 far transfer target. */
    final void loadRealCodeSegment(int selector) {
        segments[CS].loadReal(selector);
        code32 = segments[CS].big && !v86Mode();
    }

    /** Raises #GP(0) when the new EIP is outside the CS limit. */
    final void checkCodeLimit(int target) {
        if (Integer.compareUnsigned(target, segments[CS].limit) > 0) {
            throw raise(GP, 0);
        }
    }

    /** Data segment registers whose DPL is below the new CPL become null on a return outward (SDM vol. 3, 5.8.6). */
    final void nullifyDataSegments() {
        for (int seg : DATA_SEGMENTS) {
            SegmentRegister s = segments[seg];
            boolean dataOrNonConforming = !s.isCode() || !s.isConforming();
            if ((s.selector & 0xFFFC) != 0 && dataOrNonConforming && s.dpl() < cpl) {
                s.load(0, 0, 0, 0, false);
            } else if ((s.selector & 0xFFFC) == 0 && s.readable) {
                s.load(s.selector, 0, 0, 0, false);
            }
        }
    }

    // ---- far JMP / CALL / RET --------------------------------------------------------

    /** Checks a direct code-segment target of JMP/CALL (SDM vol. 3, 5.8.1). */
    final void checkDirectCodeTarget(int selector, long d) {
        int rpl = selector & 3;
        if (!isCode(d)) throw raise(GP, selector & 0xFFFC);
        if (isConformingCode(d)) {
            if (descriptorDpl(d) > cpl) throw raise(GP, selector & 0xFFFC);
        } else if (rpl > cpl || descriptorDpl(d) != cpl) {
            throw raise(GP, selector & 0xFFFC);
        }
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
    }

    final void farJump(int selector, int offset, int operandSize) {
        if (!protectedMode() || v86Mode()) {
            int target = operandSize == 2 ? offset : offset & 0xFFFF;
            loadRealCodeSegment(selector);
            checkCodeLimit(target);
            eip = target;
            return;
        }
        if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
        long d = fetchDescriptor(selector, GP);
        if (isCodeOrData(d)) {
            checkDirectCodeTarget(selector, d);
            int target = operandSize == 2 ? offset : offset & 0xFFFF;
            if (Integer.compareUnsigned(target, descriptorLimit(d)) > 0) throw raise(GP, 0);
            setAccessedBit(selector);
            loadCodeSegment(selector, d, cpl);
            eip = target;
            return;
        }
        int type = descriptorType(d);
        int dpl = descriptorDpl(d);
        switch (type) {
            case CALL_GATE16, CALL_GATE32 -> {
                if (dpl < cpl || dpl < (selector & 3)) throw raise(GP, selector & 0xFFFC);
                if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
                int codeSelector = (int) (d >>> 16) & 0xFFFF;
                int target = gateOffset(d, type == CALL_GATE32);
                if ((codeSelector & 0xFFFC) == 0) throw raise(GP, 0);
                long code = fetchDescriptor(codeSelector, GP);
                if (!isCode(code) || (isConformingCode(code) ? descriptorDpl(code) > cpl : descriptorDpl(code) != cpl)) {
                    throw raise(GP, codeSelector & 0xFFFC);
                }
                if (!descriptorPresent(code)) throw raise(NP, codeSelector & 0xFFFC);
                if (Integer.compareUnsigned(target, descriptorLimit(code)) > 0) throw raise(GP, 0);
                setAccessedBit(codeSelector);
                loadCodeSegment(codeSelector, code, cpl);
                eip = target;
            }
            case TASK_GATE, TSS16_AVAILABLE, TSS32_AVAILABLE -> taskTransfer(selector, d, SWITCH_JMP);
            default -> throw raise(GP, selector & 0xFFFC);
        }
    }

    static int gateOffset(long gate, boolean gate32) {
        int low = (int) gate & 0xFFFF;
        return gate32 ? low | ((int) (gate >>> 32) & 0xFFFF_0000) : low;
    }

    final void farCall(int selector, int offset, int operandSize) {
        int returnCs = segments[CS].selector;
        int returnEip = eip;
        if (!protectedMode() || v86Mode()) {
            int target = operandSize == 2 ? offset : offset & 0xFFFF;
            pushPair(operandSize, returnCs, returnEip);
            loadRealCodeSegment(selector);
            checkCodeLimit(target);
            eip = target;
            return;
        }
        if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
        long d = fetchDescriptor(selector, GP);
        if (isCodeOrData(d)) {
            checkDirectCodeTarget(selector, d);
            int target = operandSize == 2 ? offset : offset & 0xFFFF;
            checkStackRoom(2, operandSize == 2 ? 4 : 2);
            if (Integer.compareUnsigned(target, descriptorLimit(d)) > 0) throw raise(GP, 0);
            pushPair(operandSize, returnCs, returnEip);
            setAccessedBit(selector);
            loadCodeSegment(selector, d, cpl);
            eip = target;
            return;
        }
        int type = descriptorType(d);
        int dpl = descriptorDpl(d);
        switch (type) {
            case CALL_GATE16, CALL_GATE32 -> callGate(selector, d, returnCs, returnEip);
            case TASK_GATE, TSS16_AVAILABLE, TSS32_AVAILABLE -> {
                if (dpl < cpl || dpl < (selector & 3)) throw raise(GP, selector & 0xFFFC);
                taskTransfer(selector, d, SWITCH_CALL);
            }
            default -> throw raise(GP, selector & 0xFFFC);
        }
    }

    private void callGate(int gateSelector, long gate, int returnCs, int returnEip) {
        int dpl = descriptorDpl(gate);
        if (dpl < cpl || dpl < (gateSelector & 3)) throw raise(GP, gateSelector & 0xFFFC);
        if (!descriptorPresent(gate)) throw raise(NP, gateSelector & 0xFFFC);
        boolean gate32 = descriptorType(gate) == CALL_GATE32;
        int size = gate32 ? 2 : 1;
        int codeSelector = (int) (gate >>> 16) & 0xFFFF;
        int target = gateOffset(gate, gate32);
        if ((codeSelector & 0xFFFC) == 0) throw raise(GP, 0);
        long code = fetchDescriptor(codeSelector, GP);
        int codeDpl = descriptorDpl(code);
        if (!isCode(code) || codeDpl > cpl) throw raise(GP, codeSelector & 0xFFFC);
        if (!descriptorPresent(code)) throw raise(NP, codeSelector & 0xFFFC);
        if (!isConformingCode(code) && codeDpl < cpl) {
            // More privileged: switch to the inner stack from the TSS and copy the parameters (SDM vol. 3, 5.8.5).
            int paramCount = (int) (gate >>> 32) & 0x1F;
            int oldSs = segments[SS].selector;
            int oldEsp = regs[ESP];
            boolean oldStack32 = stack32;
            int[] params = new int[paramCount];
            for (int i = 0; i < paramCount; i++) {
                int sp = oldStack32 ? oldEsp + i * (gate32 ? 4 : 2) : (oldEsp + i * (gate32 ? 4 : 2)) & 0xFFFF;
                params[i] = gate32 ? read32(SS, sp) : read16(SS, sp);
            }
            switchToInnerStack(codeDpl);
            if (Integer.compareUnsigned(target, descriptorLimit(code)) > 0) throw raise(GP, 0);
            // The inner stack is written with the new privilege (SDM vol. 3, 5.8.5).
            setCpl(codeDpl);
            push(size, oldSs);
            push(size, oldEsp);
            for (int i = paramCount - 1; i >= 0; i--) {
                push(size, params[i]);
            }
            pushPair(size, returnCs, returnEip);
            setAccessedBit(codeSelector);
            loadCodeSegment(codeSelector, code, codeDpl);
            eip = target;
            return;
        }
        checkStackRoom(2, gate32 ? 4 : 2);
        if (Integer.compareUnsigned(target, descriptorLimit(code)) > 0) throw raise(GP, 0);
        pushPair(size, returnCs, returnEip);
        setAccessedBit(codeSelector);
        loadCodeSegment(codeSelector, code, cpl);
        eip = target;
    }

    /**
     * Raises #SS(0) unless {@code slots} pushes of {@code slotBytes} each fit:
     * the first and the last slot are checked, each at its own (wrapped) offset,
     * as the pushes themselves will address them.
     */
    final void checkStackRoom(int slots, int slotBytes) {
        int mask = stack32 ? -1 : 0xFFFF;
        int sp = stackPointer();
        linear(SS, (sp - slotBytes) & mask, slotBytes, true);
        linear(SS, (sp - slots * slotBytes) & mask, slotBytes, true);
    }

    final void pushPair(int size, int selector, int offset) {
        int bytes = size == 2 ? 4 : 2;
        checkStackRoom(2, bytes);
        push(size, selector);
        push(size, offset);
    }

    /** Loads SS:ESP for privilege level {@code dpl} from the current TSS (SDM vol. 3, 7.2.1). */
    final void switchToInnerStack(int dpl) {
        boolean tss32 = (taskRegister.attributes & 8) != 0;
        int offset = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
        int bytes = tss32 ? 8 : 4;
        if (offset + bytes - 1 > (taskRegister.limit & 0xFFFF_FFFFL)) throw raise(TS, taskRegister.selector & 0xFFFC);
        int newEsp = tss32 ? readSystem32(taskRegister.base + offset) : readSystem16(taskRegister.base + offset);
        int newSs = readSystem16(taskRegister.base + offset + (tss32 ? 4 : 2));
        if ((newSs & 0xFFFC) == 0) throw raise(TS, 0);
        long d = fetchDescriptor(newSs, TS);
        if ((newSs & 3) != dpl || descriptorDpl(d) != dpl || !isCodeOrData(d) || (descriptorType(d) & 0xA) != 2) {
            throw raise(TS, newSs & 0xFFFC);
        }
        if (!descriptorPresent(d)) throw raise(SS_VECTOR, newSs & 0xFFFC);
        setAccessedBit(newSs);
        loadCache(SS, newSs, d | 1L << 40);
        regs[ESP] = stack32 ? newEsp : newEsp & 0xFFFF;
    }

    final void farReturn(int operandSize, int release) {
        if (!protectedMode() || v86Mode()) {
            int target = pop(operandSize);
            int selector = pop(operandSize);
            if (operandSize == 1) target &= 0xFFFF;
            loadRealCodeSegment(selector);
            checkCodeLimit(target);
            eip = target;
            setStackPointer(stackPointer() + release);
            return;
        }
        int bytes = operandSize == 2 ? 4 : 2;
        int target = peek(operandSize, 0);
        int selector = peek(operandSize, bytes) & 0xFFFF;
        if (operandSize == 1) target &= 0xFFFF;
        int rpl = selector & 3;
        if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
        long d = fetchDescriptor(selector, GP);
        if (!isCode(d) || rpl < cpl) throw raise(GP, selector & 0xFFFC);
        if (isConformingCode(d) ? descriptorDpl(d) > rpl : descriptorDpl(d) != rpl) throw raise(GP, selector & 0xFFFC);
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
        if (rpl == cpl) {
            if (Integer.compareUnsigned(target, descriptorLimit(d)) > 0) throw raise(GP, 0);
            setStackPointer(stackPointer() + 2 * bytes + release);
            loadCodeSegment(selector, d, cpl);
            eip = target;
            return;
        }
        // Return to an outer level: the caller's SS:ESP sits above the parameters (SDM vol. 3, 5.8.6).
        int newEsp = peek(operandSize, 2 * bytes + release);
        int newSs = peek(operandSize, 3 * bytes + release) & 0xFFFF;
        long ssd = checkOuterStack(newSs, rpl);
        if (Integer.compareUnsigned(target, descriptorLimit(d)) > 0) throw raise(GP, 0);
        setAccessedBit(selector);
        loadCodeSegment(selector, d, rpl);
        setAccessedBit(newSs);
        loadCache(SS, newSs, ssd | 1L << 40);
        regs[ESP] = stack32 ? newEsp + release : (newEsp + release) & 0xFFFF;
        eip = target;
        nullifyDataSegments();
    }

    final long checkOuterStack(int selector, int rpl) {
        if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
        long d = fetchDescriptor(selector, GP);
        if ((selector & 3) != rpl || descriptorDpl(d) != rpl || !isCodeOrData(d) || (descriptorType(d) & 0xA) != 2) {
            throw raise(GP, selector & 0xFFFC);
        }
        if (!descriptorPresent(d)) throw raise(SS_VECTOR, selector & 0xFFFC);
        return d;
    }

    // ---- interrupts and exceptions ------------------------------------------------------

    /**
     * Delivers an interrupt or exception. {@code eip} must already hold the
     * return address (the faulting instruction for faults, the next one for
     * traps and INT n). {@code software} is INT n/INT3/INTO (gate DPL checked,
     * IOPL-sensitive in V86); {@code external} sets the EXT bit of error codes.
     */
    final void deliverInterrupt(int vector, int errorCode, boolean software, boolean external) {
        saveDeliveryState();
        try {
            deliver(vector, errorCode, software, external);
        } catch (CpuException e) {
            // A fault while delivering leaves the processor as it was before (SDM vol. 3, 6.14.1):
            // the next exception, or #DF, is delivered from the original state.
            restoreDeliveryState();
            throw e;
        }
    }

    private final SegmentRegister[] savedSegments = {
        new SegmentRegister(), new SegmentRegister(), new SegmentRegister(),
        new SegmentRegister(), new SegmentRegister(), new SegmentRegister()
    };
    private int savedEsp, savedEip, savedFlags, savedCpl;
    private boolean savedCode32, savedStack32;

    private void saveDeliveryState() {
        for (int i = 0; i < 6; i++) savedSegments[i].copyFrom(segments[i]);
        savedEsp = regs[ESP];
        savedEip = eip;
        savedFlags = flags;
        savedCpl = cpl;
        savedCode32 = code32;
        savedStack32 = stack32;
    }

    private void restoreDeliveryState() {
        for (int i = 0; i < 6; i++) segments[i].copyFrom(savedSegments[i]);
        regs[ESP] = savedEsp;
        eip = savedEip;
        flags = savedFlags;
        code32 = savedCode32;
        stack32 = savedStack32;
        setCpl(savedCpl);
    }

    private void deliver(int vector, int errorCode, boolean software, boolean external) {
        if (!protectedMode()) {
            deliverRealModeInterrupt(vector);
            return;
        }
        int ext = external ? 1 : 0;
        if (vector * 8 + 7 > idtLimit) throw raise(GP, vector * 8 + 2 + ext);
        int gateAddress = idtBase + vector * 8;
        long gate = (readSystem32(gateAddress) & 0xFFFF_FFFFL) | (long) readSystem32(gateAddress + 4) << 32;
        int type = descriptorType(gate);
        if (isCodeOrData(gate) || (type != TASK_GATE && type != INTERRUPT_GATE16 && type != TRAP_GATE16
                && type != INTERRUPT_GATE32 && type != TRAP_GATE32)) {
            throw raise(GP, vector * 8 + 2 + ext);
        }
        if (software && descriptorDpl(gate) < cpl) throw raise(GP, vector * 8 + 2);
        if (!descriptorPresent(gate)) throw raise(NP, vector * 8 + 2 + ext);
        if (type == TASK_GATE) {
            int tssSelector = (int) (gate >>> 16) & 0xFFFF;
            long tss = fetchDescriptor(tssSelector, GP);
            taskTransfer(tssSelector, tss, SWITCH_CALL);
            if (errorCode != CpuException.NO_ERROR_CODE) {
                push((taskRegister.attributes & 8) != 0 ? 2 : 1, errorCode);
            }
            return;
        }
        boolean gate32 = type == INTERRUPT_GATE32 || type == TRAP_GATE32;
        int size = gate32 ? 2 : 1;
        int codeSelector = (int) (gate >>> 16) & 0xFFFF;
        int target = gateOffset(gate, gate32);
        if ((codeSelector & 0xFFFC) == 0) throw raise(GP, ext);
        long code = fetchDescriptor(codeSelector, GP);
        int codeDpl = descriptorDpl(code);
        if (!isCode(code) || codeDpl > cpl) throw raise(GP, (codeSelector & 0xFFFC) + ext);
        if (!descriptorPresent(code)) throw raise(NP, (codeSelector & 0xFFFC) + ext);
        int oldFlags = eflags();
        int oldCs = segments[CS].selector;
        int oldEip = eip;
        if (!isConformingCode(code) && codeDpl < cpl) {
            if (v86Mode() && codeDpl != 0) throw raise(GP, codeSelector & 0xFFFC);
            int oldSs = segments[SS].selector;
            int oldEsp = regs[ESP];
            boolean fromV86 = v86Mode();
            switchToInnerStack(codeDpl);
            setCpl(codeDpl);
            if (fromV86) {
                push(size, segments[GS].selector);
                push(size, segments[FS].selector);
                push(size, segments[DS].selector);
                push(size, segments[ES].selector);
                for (int seg : DATA_SEGMENTS) {
                    segments[seg].load(0, 0, 0, 0, false);
                }
            }
            push(size, oldSs);
            push(size, oldEsp);
        } else if (v86Mode()) {
            throw raise(GP, codeSelector & 0xFFFC);
        } else {
            checkStackRoom(errorCode != CpuException.NO_ERROR_CODE ? 4 : 3, gate32 ? 4 : 2);
            codeDpl = cpl;
        }
        if (Integer.compareUnsigned(target, descriptorLimit(code)) > 0) throw raise(GP, ext);
        push(size, oldFlags);
        push(size, oldCs);
        push(size, oldEip);
        if (errorCode != CpuException.NO_ERROR_CODE) push(size, errorCode);
        flags &= ~(VM | TF | NT | RF);
        if (type == INTERRUPT_GATE16 || type == INTERRUPT_GATE32) flags &= ~IF;
        setAccessedBit(codeSelector);
        loadCodeSegment(codeSelector, code, codeDpl);
        eip = target;
    }

    private void deliverRealModeInterrupt(int vector) {
        if (vector * 4 + 3 > idtLimit) throw raise(GP, vector * 8 + 2);
        int target = readSystem16(idtBase + vector * 4);
        int selector = readSystem16(idtBase + vector * 4 + 2);
        checkStackRoom(3, 2);
        push(1, eflags());
        push(1, segments[CS].selector);
        push(1, eip);
        flags &= ~(IF | TF | AC | RF);
        loadRealCodeSegment(selector);
        eip = target;
    }

    final void interruptReturn(int operandSize) {
        if (!protectedMode()) {
            int target = pop(operandSize);
            int selector = pop(operandSize) & 0xFFFF;
            int newFlags = pop(operandSize);
            if (operandSize == 1) {
                target &= 0xFFFF;
                newFlags = (eflags() & 0xFFFF_0000) | (newFlags & 0xFFFF);
            }
            loadRealCodeSegment(selector);
            eip = target;
            setEflags(newFlags, WRITABLE_FLAGS & ~(VM | VIF | VIP));
            return;
        }
        if (v86Mode()) {
            if (iopl() != 3) throw raise(GP, 0);
            int target = peek(operandSize, 0);
            int selector = peek(operandSize, operandSize == 2 ? 4 : 2) & 0xFFFF;
            int newFlags = peek(operandSize, operandSize == 2 ? 8 : 4);
            if (operandSize == 1) {
                target &= 0xFFFF;
                newFlags = (eflags() & 0xFFFF_0000) | (newFlags & 0xFFFF);
            }
            checkCodeLimit(target);
            setStackPointer(stackPointer() + (operandSize == 2 ? 12 : 6));
            loadRealCodeSegment(selector);
            eip = target;
            setEflags(newFlags, WRITABLE_FLAGS & ~(IOPL | VM | VIF | VIP));
            return;
        }
        if ((flags & NT) != 0) {
            int backLink = readSystem16(taskRegister.base);
            long d = fetchDescriptor(backLink, TS);
            int type = descriptorType(d);
            if (isCodeOrData(d) || (type != TSS16_BUSY && type != TSS32_BUSY)) throw raise(TS, backLink & 0xFFFC);
            if (!descriptorPresent(d)) throw raise(NP, backLink & 0xFFFC);
            taskSwitch(backLink, d, SWITCH_IRET);
            return;
        }
        int bytes = operandSize == 2 ? 4 : 2;
        int target = peek(operandSize, 0);
        int selector = peek(operandSize, bytes) & 0xFFFF;
        int newFlags = peek(operandSize, 2 * bytes);
        if (operandSize == 1) {
            target &= 0xFFFF;
            newFlags = (eflags() & 0xFFFF_0000) | (newFlags & 0xFFFF);
        }
        if ((newFlags & VM) != 0 && cpl == 0 && operandSize == 2) {
            returnToV86(target, selector, newFlags);
            return;
        }
        int rpl = selector & 3;
        if ((selector & 0xFFFC) == 0) throw raise(GP, 0);
        long d = fetchDescriptor(selector, GP);
        if (!isCode(d) || rpl < cpl) throw raise(GP, selector & 0xFFFC);
        if (isConformingCode(d) ? descriptorDpl(d) > rpl : descriptorDpl(d) != rpl) throw raise(GP, selector & 0xFFFC);
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
        int oldCpl = cpl;
        int changeable = WRITABLE_FLAGS & ~(VM | VIF | VIP);
        if (oldCpl > 0) changeable &= ~IOPL;
        if (oldCpl > iopl()) changeable &= ~IF;
        if (rpl == cpl) {
            if (Integer.compareUnsigned(target, descriptorLimit(d)) > 0) throw raise(GP, 0);
            setStackPointer(stackPointer() + 3 * bytes);
            loadCodeSegment(selector, d, cpl);
            eip = target;
            setEflags(newFlags, changeable);
            return;
        }
        int newEsp = peek(operandSize, 3 * bytes);
        int newSs = peek(operandSize, 4 * bytes) & 0xFFFF;
        long ssd = checkOuterStack(newSs, rpl);
        if (Integer.compareUnsigned(target, descriptorLimit(d)) > 0) throw raise(GP, 0);
        setAccessedBit(selector);
        loadCodeSegment(selector, d, rpl);
        setAccessedBit(newSs);
        loadCache(SS, newSs, ssd | 1L << 40);
        regs[ESP] = stack32 ? newEsp : (regs[ESP] & 0xFFFF_0000) | (newEsp & 0xFFFF);
        eip = target;
        setEflags(newFlags, changeable);
        nullifyDataSegments();
    }

    /** IRET from ring 0 to a V86 task (SDM vol. 3, 20.2.6): the frame also holds ESP, SS, ES, DS, FS, GS. */
    private void returnToV86(int target, int selector, int newFlags) {
        int newEsp = peek(2, 12);
        int newSs = peek(2, 16);
        int newEs = peek(2, 20);
        int newDs = peek(2, 24);
        int newFs = peek(2, 28);
        int newGs = peek(2, 32);
        setEflags(newFlags, WRITABLE_FLAGS);
        for (SegmentRegister s : segments) {
            s.limit = 0xFFFF;
            s.attributes = SegmentRegister.PRESENT | SegmentRegister.CODE_OR_DATA | 0x60 | 3;
            s.recompute(true);
        }
        segments[ES].loadReal(newEs);
        segments[DS].loadReal(newDs);
        segments[FS].loadReal(newFs);
        segments[GS].loadReal(newGs);
        segments[SS].loadReal(newSs);
        stack32 = false;
        segments[CS].loadReal(selector);
        code32 = false;
        setCpl(3);
        regs[ESP] = newEsp;
        eip = target & 0xFFFF;
    }

    /**
     * Writes EFLAGS bits selected by {@code changeable}; reserved bit 1 stays set.
     * Subclasses hook this to notice IF and TF changes.
     */
    void setEflags(int value, int changeable) {
        int current = eflags();
        lazyOp = LAZY_NONE;
        flags = (current & ~changeable) | (value & changeable) | 2;
    }

    // ---- task switching (SDM vol. 3, 7.3) ------------------------------------------------

    private void taskTransfer(int selector, long d, int reason) {
        if (!descriptorPresent(d)) throw raise(NP, selector & 0xFFFC);
        if (descriptorType(d) == TASK_GATE) {
            int tssSelector = (int) (d >>> 16) & 0xFFFF;
            if ((tssSelector & 4) != 0) throw raise(GP, tssSelector & 0xFFFC);
            long tss = fetchDescriptor(tssSelector, GP);
            int type = descriptorType(tss);
            if (isCodeOrData(tss) || (type != TSS16_AVAILABLE && type != TSS32_AVAILABLE)) {
                throw raise(GP, tssSelector & 0xFFFC);
            }
            if (!descriptorPresent(tss)) throw raise(NP, tssSelector & 0xFFFC);
            taskSwitch(tssSelector, tss, reason);
        } else {
            if ((selector & 4) != 0) throw raise(GP, selector & 0xFFFC);
            taskSwitch(selector, d, reason);
        }
    }

    final void taskSwitch(int selector, long d, int reason) {
        boolean newIs32 = (descriptorType(d) & 8) != 0;
        int newBase = descriptorBase(d);
        int newLimit = descriptorLimit(d);
        if (newLimit < (newIs32 ? 0x67 : 0x2B)) throw raise(TS, selector & 0xFFFC);
        boolean oldIs32 = (taskRegister.attributes & 8) != 0;
        int oldBase = taskRegister.base;
        int oldSelector = taskRegister.selector;
        int oldFlags = eflags();
        if (reason == SWITCH_IRET) oldFlags &= ~NT;

        // Read the whole new state first: a fault here leaves the old task intact.
        int[] newRegs = new int[8];
        int[] newSegs = new int[6];
        int newEip, newFlags, newLdt, newCr3 = 0;
        if (newIs32) {
            newCr3 = readSystem32(newBase + 0x1C);
            newEip = readSystem32(newBase + 0x20);
            newFlags = readSystem32(newBase + 0x24);
            for (int i = 0; i < 8; i++) newRegs[i] = readSystem32(newBase + 0x28 + i * 4);
            for (int i = 0; i < 6; i++) newSegs[i] = readSystem16(newBase + 0x48 + i * 4);
            newLdt = readSystem16(newBase + 0x60);
        } else {
            newEip = readSystem16(newBase + 0x0E);
            newFlags = readSystem16(newBase + 0x10);
            for (int i = 0; i < 8; i++) newRegs[i] = readSystem16(newBase + 0x12 + i * 2) | 0xFFFF_0000;
            for (int i = 0; i < 4; i++) newSegs[i] = readSystem16(newBase + 0x22 + i * 2);
            newLdt = readSystem16(newBase + 0x2A);
        }

        // Save the outgoing state.
        if (oldIs32) {
            writeSystem32(oldBase + 0x20, eip);
            writeSystem32(oldBase + 0x24, oldFlags);
            for (int i = 0; i < 8; i++) writeSystem32(oldBase + 0x28 + i * 4, regs[i]);
            for (int i = 0; i < 6; i++) writeSystem16(oldBase + 0x48 + i * 4, segments[i].selector);
        } else {
            writeSystem16(oldBase + 0x0E, eip);
            writeSystem16(oldBase + 0x10, oldFlags);
            for (int i = 0; i < 8; i++) writeSystem16(oldBase + 0x12 + i * 2, regs[i]);
            for (int i = 0; i < 4; i++) writeSystem16(oldBase + 0x22 + i * 2, segments[i].selector);
        }
        if (reason == SWITCH_JMP || reason == SWITCH_IRET) {
            setBusy(oldSelector, false);
        }
        if (reason == SWITCH_CALL) {
            writeSystem16(newBase, oldSelector);
            newFlags |= NT;
        }
        if (reason != SWITCH_IRET) {
            setBusy(selector, true);
        }

        taskRegister.load(selector, newBase, newLimit, descriptorAttributes(d) | 2, true);
        cr0 |= CR0_TS;
        if (newIs32 && (cr0 & CR0_PG) != 0) {
            writeCr3(newCr3);
        }
        System.arraycopy(newRegs, 0, regs, 0, 8);
        if (!newIs32) {
            for (int i = 0; i < 8; i++) regs[i] &= 0xFFFF;
            newFlags &= 0xFFFF;
        }
        lazyOp = LAZY_NONE;
        flags = (newFlags & WRITABLE_FLAGS) | 2;
        eip = newEip;
        onFlagsReloaded();

        // Load the LDT and segment registers of the new task; faults now belong to it (#TS).
        if ((newLdt & 0xFFFC) != 0) {
            if ((newLdt & 4) != 0) throw raise(TS, newLdt & 0xFFFC);
            long ldt = fetchDescriptor(newLdt, TS);
            if (isCodeOrData(ldt) || descriptorType(ldt) != LDT_TYPE) throw raise(TS, newLdt & 0xFFFC);
            if (!descriptorPresent(ldt)) throw raise(TS, newLdt & 0xFFFC);
            ldtr.load(newLdt, descriptorBase(ldt), descriptorLimit(ldt), descriptorAttributes(ldt), true);
        } else {
            ldtr.load(0, 0, 0, 0, false);
        }
        if ((flags & VM) != 0) {
            for (int i = 0; i < 6; i++) {
                segments[i].limit = 0xFFFF;
                segments[i].loadReal(newSegs[i]);
            }
            code32 = false;
            stack32 = false;
            setCpl(3);
            return;
        }
        int newCpl = newSegs[CS] & 3;
        int csSelector = newSegs[CS];
        if ((csSelector & 0xFFFC) == 0) throw raise(TS, 0);
        long code = fetchDescriptor(csSelector, TS);
        if (!isCode(code)) throw raise(TS, csSelector & 0xFFFC);
        if (!descriptorPresent(code)) throw raise(NP, csSelector & 0xFFFC);
        loadCodeSegment(csSelector, code, newCpl);
        int ssSelector = newSegs[SS];
        if ((ssSelector & 0xFFFC) == 0) throw raise(TS, 0);
        long stack = fetchDescriptor(ssSelector, TS);
        if ((ssSelector & 3) != newCpl || descriptorDpl(stack) != newCpl || !isCodeOrData(stack)
                || (descriptorType(stack) & 0xA) != 2) {
            throw raise(TS, ssSelector & 0xFFFC);
        }
        if (!descriptorPresent(stack)) throw raise(SS_VECTOR, ssSelector & 0xFFFC);
        loadCache(SS, ssSelector, stack);
        for (int seg : DATA_SEGMENTS) {
            int s = newSegs[seg];
            if ((s & 0xFFFC) == 0) {
                segments[seg].load(s, 0, 0, 0, false);
                continue;
            }
            long data = fetchDescriptor(s, TS);
            if (!isCodeOrData(data) || (descriptorType(data) & 0xA) == 8) throw raise(TS, s & 0xFFFC);
            if (!descriptorPresent(data)) throw raise(NP, s & 0xFFFC);
            loadCache(seg, s, data);
        }
    }

    private void setBusy(int selector, boolean busy) {
        int address = descriptorAddress(selector) + 5;
        int access = readSystem8(address);
        writeSystem8(address, busy ? access | 2 : access & ~2);
    }

    /** Installs a new CR3 and flushes the TLB. */
    abstract void writeCr3(int value);

    /** Called after EFLAGS was replaced wholesale (task switch), to re-evaluate pending interrupts. */
    abstract void onFlagsReloaded();
}
