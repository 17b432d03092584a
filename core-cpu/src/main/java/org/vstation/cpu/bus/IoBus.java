package org.vstation.cpu.bus;

/**
 * The processor's view of the I/O port space (IN/OUT and the string forms).
 * Sizes are 1, 2 or 4 bytes; values are zero-extended to int.
 */
public interface IoBus {
    int read(int port, int size);

    void write(int port, int size, int value);
}
