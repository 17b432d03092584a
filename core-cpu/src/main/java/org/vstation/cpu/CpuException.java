package org.vstation.cpu;

/**
 * A guest exception raised while executing an instruction: unwinds to the
 * instruction boundary, where the CPU delivers it through the IVT or IDT.
 * One instance per CPU is reused (no stack trace), so faults cost no allocation.
 */
final class CpuException extends RuntimeException {
    /** Sentinel for exceptions that push no error code. */
    static final int NO_ERROR_CODE = -1;

    int vector;
    int errorCode;

    CpuException() {
        super(null, null, false, false);
    }

    CpuException set(int vector, int errorCode) {
        this.vector = vector;
        this.errorCode = errorCode;
        return this;
    }
}
