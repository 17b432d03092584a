package org.vstation.cpu.fpu;

/** An FpuContext for tests: the memory operand lives at the start of a byte array. */
final class ArrayFpuContext implements FpuContext {
    final byte[] memory = new byte[128];
    int eflags = 0x2;
    boolean operandSize32 = true;
    boolean protectedMode = true;
    int instructionSelector = 0x0008, instructionOffset = 0x1000;
    int operandSelector = 0x0010, operandOffset = 0x2000;

    @Override
    public int readOperand(int offset, int size) {
        int value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = (value << 8) | (memory[offset + i] & 0xFF);
        }
        return value;
    }

    @Override
    public void writeOperand(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            memory[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    void put(byte[] bytes) {
        System.arraycopy(bytes, 0, memory, 0, bytes.length);
    }

    void putShort(int value) {
        writeOperand(0, 2, value);
    }

    @Override
    public boolean operandSize32() {
        return operandSize32;
    }

    @Override
    public boolean protectedMode() {
        return protectedMode;
    }

    @Override
    public int eflags() {
        return eflags;
    }

    @Override
    public void setEflags(int eflags) {
        this.eflags = eflags;
    }

    @Override
    public int instructionSelector() {
        return instructionSelector;
    }

    @Override
    public int instructionOffset() {
        return instructionOffset;
    }

    @Override
    public int operandSelector() {
        return operandSelector;
    }

    @Override
    public int operandOffset() {
        return operandOffset;
    }
}
