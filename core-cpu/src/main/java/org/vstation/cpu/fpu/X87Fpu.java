package org.vstation.cpu.fpu;

/**
 * Temporary stand-in for the x87 unit being written on the {@code fpu}
 * branch, with the same public surface so the CPU compiles and runs until
 * that class is merged (this file is then replaced by it). It models only
 * what FPU detection touches: FNINIT, FNSTSW, FNSTCW and FLDCW.
 */
public final class X87Fpu {
    private int controlWord = 0x037F;
    private int statusWord;

    public void reset() {
        controlWord = 0x037F;
        statusWord = 0;
    }

    public void execute(int opcode, int modrm, FpuContext context) {
        int mod = modrm >>> 6;
        int reg = (modrm >>> 3) & 7;
        if (opcode == 0xDB && modrm == 0xE3) {
            reset();
        } else if (opcode == 0xDB && modrm == 0xE2) {
            statusWord &= 0x7F00;
        } else if (opcode == 0xD9 && mod != 3 && reg == 7) {
            context.writeOperand(0, 2, controlWord);
        } else if (opcode == 0xD9 && mod != 3 && reg == 5) {
            controlWord = context.readOperand(0, 2);
        } else if (opcode == 0xDD && mod != 3 && reg == 7) {
            context.writeOperand(0, 2, statusWord);
        }
    }

    public boolean hasPendingUnmaskedException() {
        return (statusWord & 0x80) != 0;
    }
}
