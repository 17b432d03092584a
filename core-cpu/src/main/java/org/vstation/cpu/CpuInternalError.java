package org.vstation.cpu;

/**
 * An emulator bug found while running guest code (never a guest fault: those
 * are delivered to the guest). Carries the processor state so the VM can be
 * stopped with a message that says where it was.
 */
public class CpuInternalError extends RuntimeException {
    public CpuInternalError(String message, Throwable cause) {
        super(message, cause);
    }

    public CpuInternalError(String message) {
        super(message);
    }
}
