package org.vstation.cpu.bus;

/**
 * Told when a write lands in a physical page that holds pre-decoded guest
 * code, so the decoded blocks of that page can be dropped (self-modifying
 * code, DMA into code pages).
 */
@FunctionalInterface
public interface CodeWriteListener {
    void codeWritten(long physicalAddress, int size);
}
