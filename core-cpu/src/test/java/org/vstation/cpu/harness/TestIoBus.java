package org.vstation.cpu.harness;

import java.util.function.IntConsumer;

import org.vstation.cpu.bus.IoBus;

/**
 * The I/O space a test guest sees: a minimal 16550 at COM1 (THR at 0x3F8 with
 * the line status at 0x3FD always "transmitter empty"), the debug consoles
 * at 0xE9 and 0x402, QEMU's isa-debug-exit at 0xF4, and one hook port the
 * harness uses to hear from its guest. Everything else reads as all ones.
 */
public final class TestIoBus implements IoBus {
    public static final int COM1_THR = 0x3F8;
    public static final int COM1_LSR = 0x3FD;
    /** LSR: THR empty and transmitter idle (16550 datasheet, line status register bits 5 and 6). */
    private static final int LSR_TRANSMITTER_EMPTY = 0x60;
    public static final int DEBUG_CONSOLE = 0xE9;
    public static final int QEMU_DEBUG_CONSOLE = 0x402;
    public static final int DEBUG_EXIT = 0xF4;

    private final StringBuilder serial = new StringBuilder();
    private final StringBuilder debug = new StringBuilder();
    private final int hookPort;
    private final IntConsumer hook;
    private Integer exitValue;

    public TestIoBus() {
        this(-1, value -> { });
    }

    /** Writes to {@code hookPort} go to {@code hook}. */
    public TestIoBus(int hookPort, IntConsumer hook) {
        this.hookPort = hookPort;
        this.hook = hook;
    }

    @Override
    public int read(int port, int size) {
        if (port == COM1_LSR) return LSR_TRANSMITTER_EMPTY;
        return size == 4 ? -1 : (1 << (size * 8)) - 1;
    }

    @Override
    public void write(int port, int size, int value) {
        if (port == hookPort) {
            hook.accept(value);
        } else if (port == COM1_THR) {
            serial.append((char) (value & 0xFF));
        } else if (port == DEBUG_CONSOLE || port == QEMU_DEBUG_CONSOLE) {
            debug.append((char) (value & 0xFF));
        } else if (port == DEBUG_EXIT) {
            exitValue = value & 0xFF;
        }
    }

    public String serialText() {
        return serial.toString();
    }

    public String debugText() {
        return debug.toString();
    }

    /** The byte written to isa-debug-exit, or null while the guest has not written one. */
    public Integer exitValue() {
        return exitValue;
    }
}
