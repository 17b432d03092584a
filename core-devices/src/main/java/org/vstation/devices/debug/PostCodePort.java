package org.vstation.devices.debug;

import org.vstation.devices.bus.IoDevice;

/**
 * The POST diagnostic port 0x80: firmware writes progress codes there (a
 * POST card shows them). We keep the last code for error messages; the port
 * also serves as the traditional "I/O delay" write target.
 */
public final class PostCodePort implements IoDevice {
    public static final int PORT = 0x80;

    private int lastCode;

    @Override
    public String name() {
        return "POST code port";
    }

    public int lastCode() {
        return lastCode;
    }

    @Override
    public int ioRead(int offset, int size) {
        return lastCode;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        lastCode = value & 0xFF;
    }
}
