package org.vstation.cpu.fpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The parts of the x87 the host oracle cannot see from user mode: reset states, the 16/32-bit real and protected
 * environment layouts (Intel SDM vol. 1, figures 8-9 to 8-12), FSAVE/FRSTOR, the instruction and operand
 * pointers, pending-exception reporting and snapshots.
 */
class X87FpuTest {
    private final X87Fpu fpu = new X87Fpu();
    private final ArrayFpuContext context = new ArrayFpuContext();

    private void run(int opcode, int modrm) {
        fpu.execute(opcode, modrm, context);
    }

    private void loadDouble(double value) {
        long bits = Double.doubleToRawLongBits(value);
        context.writeOperand(0, 4, (int) bits);
        context.writeOperand(4, 4, (int) (bits >>> 32));
        run(0xDD, 0x00); // FLD m64fp
    }

    private double storeDouble() {
        run(0xDD, 0x18); // FSTP m64fp
        return Double.longBitsToDouble((context.readOperand(0, 4) & 0xFFFF_FFFFL)
                | ((long) context.readOperand(4, 4) << 32));
    }

    private int word(int offset) {
        return context.readOperand(offset, 2) & 0xFFFF;
    }

    private int dword(int offset) {
        return context.readOperand(offset, 4);
    }

    @Test
    void powerOnStateIsTheP6ResetState() {
        assertEquals(0x0040, fpu.controlWord());
        assertEquals(0x0000, fpu.statusWord());
        assertEquals(0x5555, fpu.tagWord()); // eight valid +0.0 registers
    }

    @Test
    void fninitMasksEverythingAndEmptiesTheStack() {
        loadDouble(2.0);
        run(0xDB, 0xE3);
        assertEquals(0x037F, fpu.controlWord());
        assertEquals(0x0000, fpu.statusWord());
        assertEquals(0xFFFF, fpu.tagWord());
    }

    @Test
    void arithmeticThroughTheStack() {
        run(0xDB, 0xE3);
        loadDouble(1.5);
        loadDouble(4.0);
        run(0xDE, 0xC9); // FMULP
        run(0xD9, 0xFA); // FSQRT
        assertEquals(Math.sqrt(6.0), storeDouble(), 0x1p-52);
        assertEquals(0, fpu.top());
    }

    /** A state with known pointers: FADD m64fp executed at 1234:00005678 on operand 9ABC:0000DEF0. */
    private void prepareEnvironment() {
        run(0xDB, 0xE3);
        loadDouble(3.0);
        context.instructionSelector = 0x1234;
        context.instructionOffset = 0x0000_5678;
        context.operandSelector = 0x9ABC;
        context.operandOffset = 0x0000_DEF0;
        loadDouble(0.5); // 1.0 in ST(0)... FLD m64fp: opcode DD, ModR/M 00
        context.instructionOffset = 0x0000_5680;
        run(0xDC, 0x05); // FADD m64fp -> FOP = 4 << 8 | 05
        Arrays.fill(context.memory, (byte) 0xEE);
    }

    @Test
    void fstenv32BitProtectedLayout() {
        prepareEnvironment();
        context.operandSize32 = true;
        context.protectedMode = true;
        run(0xD9, 0x30);
        assertEquals(0xFFFF_037F, dword(0));
        assertEquals(0xFFFF_0000 | fpu.statusWord(), dword(4));
        assertEquals(0x3000, fpu.statusWord() & 0x3800); // TOP = 6
        assertEquals(0xFFFF_0FFF, dword(8)); // ST(0), ST(1) valid in physical 6 and 7
        assertEquals(0x0000_5680, dword(12));
        assertEquals(0x1234 | (0x405 << 16), dword(16));
        assertEquals(0x0000_DEF0, dword(20));
        assertEquals(0xFFFF_9ABC, dword(24));
    }

    @Test
    void fstenv32BitRealModeLayoutHoldsLinearAddresses() {
        prepareEnvironment();
        context.operandSize32 = true;
        context.protectedMode = false;
        run(0xD9, 0x30);
        int ip = (0x1234 << 4) + 0x5680; // 0x179C0
        int dp = (0x9ABC << 4) + 0xDEF0; // 0xA8AB0
        assertEquals(0xFFFF_0000 | (ip & 0xFFFF), dword(12));
        assertEquals(((ip >>> 16) << 12) | 0x405, dword(16));
        assertEquals(0xFFFF_0000 | (dp & 0xFFFF), dword(20));
        assertEquals((dp >>> 16) << 12, dword(24));
    }

    @Test
    void fstenv16BitProtectedLayout() {
        prepareEnvironment();
        context.operandSize32 = false;
        context.protectedMode = true;
        run(0xD9, 0x30);
        assertEquals(0x037F, word(0));
        assertEquals(fpu.statusWord(), word(2));
        assertEquals(0x0FFF, word(4));
        assertEquals(0x5680, word(6));
        assertEquals(0x1234, word(8));
        assertEquals(0xDEF0, word(10));
        assertEquals(0x9ABC, word(12));
        assertEquals(0xEEEE, word(14)); // 14 bytes only
    }

    @Test
    void fstenv16BitRealModeLayout() {
        prepareEnvironment();
        context.operandSize32 = false;
        context.protectedMode = false;
        run(0xD9, 0x30);
        int ip = (0x1234 << 4) + 0x5680;
        int dp = (0x9ABC << 4) + 0xDEF0;
        assertEquals(ip & 0xFFFF, word(6));
        assertEquals(((ip >>> 16) << 12) | 0x405, word(8));
        assertEquals(dp & 0xFFFF, word(10));
        assertEquals((dp >>> 16) << 12, word(12));
    }

    @Test
    void fstenvMasksAllExceptionsAfterStoringTheOldControlWord() {
        run(0xDB, 0xE3);
        context.putShort(0x0360);
        run(0xD9, 0x28); // FLDCW
        run(0xD9, 0x30); // FNSTENV
        assertEquals(0x0360, word(0));
        assertEquals(0x037F, fpu.controlWord());
    }

    @Test
    void controlInstructionsLeaveThePointersAlone() {
        prepareEnvironment();
        context.instructionOffset = 0x7777;
        run(0xD9, 0x38); // FNSTCW
        run(0xDB, 0xE2); // FNCLEX
        run(0xD9, 0x30); // FNSTENV
        assertEquals(0x0000_5680, dword(12));
        assertEquals(0x1234 | (0x405 << 16), dword(16));
    }

    @Test
    void fsaveAndFrstorRoundTripInEveryLayout() {
        for (int mode = 0; mode < 4; mode++) {
            context.operandSize32 = (mode & 1) != 0;
            context.protectedMode = (mode & 2) != 0;
            prepareEnvironment();
            loadDouble(-7.25);
            context.putShort(0x0A7F);
            run(0xD9, 0x28); // FLDCW: round up, 53-bit precision
            loadDouble(1.0);
            run(0xD8, 0xF1); // FDIV ST, ST(1): inexact, sets PE
            byte[] before = fpu.snapshot();
            int status = fpu.statusWord();
            int tags = fpu.tagWord();
            run(0xDD, 0x30); // FNSAVE
            assertEquals(0x037F, fpu.controlWord(), "FNSAVE ends with FNINIT, mode " + mode);
            assertEquals(0xFFFF, fpu.tagWord());
            int registers = context.operandSize32 ? 28 : 14;
            // ST(0) = 1/-7.25 is stored first in the register area.
            assertEquals(0xBFFC, context.readOperand(registers + 8, 2) & 0xFFFF, "mode " + mode);
            run(0xDD, 0x20); // FRSTOR
            assertEquals(0x0A7F, fpu.controlWord(), "mode " + mode);
            assertEquals(status, fpu.statusWord(), "mode " + mode);
            assertEquals(tags, fpu.tagWord(), "mode " + mode);
            byte[] after = fpu.snapshot();
            if (context.protectedMode && context.operandSize32) {
                assertArrayEquals(before, after, "the 32-bit protected layout holds every pointer and FOP");
            }
            assertEquals(-1 / 7.25, storeDouble(), 0x1p-50);
        }
    }

    @Test
    void unmaskedDivideByZeroIsPendingAndLeavesTheDestination() {
        run(0xDB, 0xE3);
        context.putShort(0x037B); // ZE unmasked
        run(0xD9, 0x28);
        loadDouble(0.0);
        loadDouble(5.0);
        run(0xD8, 0xF1); // FDIV ST, ST(1)
        assertTrue(fpu.hasPendingUnmaskedException());
        assertEquals(0x8084 | (6 << 11), fpu.statusWord()); // B, ES, ZE, TOP = 6
        assertEquals(5.0, storeDouble());
        run(0xDB, 0xE2); // FNCLEX
        assertFalse(fpu.hasPendingUnmaskedException());
    }

    @Test
    void unmaskingASetFlagMakesItPending() {
        run(0xDB, 0xE3);
        loadDouble(3.0);
        loadDouble(1.0);
        run(0xD8, 0xF1); // 1/3: inexact, masked
        assertFalse(fpu.hasPendingUnmaskedException());
        context.putShort(0x035F); // unmask PE
        run(0xD9, 0x28);
        assertTrue(fpu.hasPendingUnmaskedException());
        run(0xDD, 0x38); // FNSTSW m16
        assertEquals(fpu.statusWord(), word(0));
        assertEquals(0x80A0, word(0) & 0x80FF);
    }

    @Test
    void fcomiWritesZfPfCfAndClearsOfSfAf() {
        run(0xDB, 0xE3);
        loadDouble(2.0);
        loadDouble(1.0);
        context.eflags = 0x8D7; // OF, SF, ZF, AF, PF, CF and the reserved bit 1
        run(0xDB, 0xF1); // FCOMI ST, ST(1): 1 < 2
        assertEquals(0x003, context.eflags);
        run(0xD9, 0xC9); // FXCH
        run(0xDF, 0xF1); // FCOMIP: 2 > 1, then pop
        assertEquals(0x002, context.eflags);
        assertEquals(7, fpu.top());
    }

    @Test
    void snapshotRoundTripsAndRejectsForeignData() {
        run(0xDB, 0xE3);
        loadDouble(Math.PI);
        loadDouble(Math.E);
        byte[] saved = fpu.snapshot();
        X87Fpu copy = new X87Fpu();
        copy.restoreSnapshot(saved);
        assertArrayEquals(saved, copy.snapshot());
        assertEquals(fpu.statusWord(), copy.statusWord());
        assertEquals(fpu.registerSignificand(1), copy.registerSignificand(1));
        assertThrows(IllegalArgumentException.class, () -> copy.restoreSnapshot(new byte[3]));
    }

    @Test
    void onlyTheNoWaitFormsSkipThePendingExceptionCheck() {
        assertFalse(X87Fpu.checksPendingExceptions(0xDB, 0xE3)); // FNINIT
        assertFalse(X87Fpu.checksPendingExceptions(0xDB, 0xE2)); // FNCLEX
        assertFalse(X87Fpu.checksPendingExceptions(0xDF, 0xE0)); // FNSTSW AX
        assertFalse(X87Fpu.checksPendingExceptions(0xDD, 0x38)); // FNSTSW m16
        assertFalse(X87Fpu.checksPendingExceptions(0xD9, 0x38)); // FNSTCW
        assertFalse(X87Fpu.checksPendingExceptions(0xD9, 0x30)); // FNSTENV
        assertFalse(X87Fpu.checksPendingExceptions(0xDD, 0x30)); // FNSAVE
        assertTrue(X87Fpu.checksPendingExceptions(0xD9, 0x28)); // FLDCW
        assertTrue(X87Fpu.checksPendingExceptions(0xDD, 0x20)); // FRSTOR
        assertTrue(X87Fpu.checksPendingExceptions(0xD9, 0xD0)); // FNOP
        assertTrue(X87Fpu.checksPendingExceptions(0xDE, 0xC1)); // FADDP
    }
}
