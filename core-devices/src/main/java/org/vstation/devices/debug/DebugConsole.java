package org.vstation.devices.debug;

import java.util.function.IntConsumer;
import org.vstation.devices.bus.IoDevice;

/**
 * The Bochs/QEMU debug console port (0x402 for SeaBIOS's log, 0xE9 for the
 * Bochs "port E9 hack"): every byte written is a character of the log.
 * Reading returns 0xE9, which is how firmware detects that the port exists.
 */
public final class DebugConsole implements IoDevice {
    public static final int SEABIOS_PORT = 0x402;
    public static final int BOCHS_PORT = 0xE9;
    private static final int PRESENCE_SIGNATURE = 0xE9;

    private final IntConsumer sink;

    public DebugConsole(IntConsumer sink) {
        this.sink = sink;
    }

    @Override
    public String name() {
        return "debug console";
    }

    @Override
    public int ioRead(int offset, int size) {
        return PRESENCE_SIGNATURE;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            sink.accept((value >>> (8 * i)) & 0xFF);
        }
    }
}
