package org.vstation.devices.dma;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.dma.Dma8237.Direction;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * The PC/AT DMA subsystem: two cascaded 8237A controllers and the 74LS612 page registers at 0x81-0x8F.
 * Follows the IBM PC/AT technical reference (DMA channel and page register map) and the PIIX3 datasheet.
 *
 * <p>Channels 0-3 move bytes within a 64 KiB page, channels 5-7 move words
 * within a 128 KiB page; channel 4 is the cascade. Port 0x80 is the POST code
 * port, so the page registers are placed from 0x81; the unused ones are plain
 * scratch bytes. ISA devices (floppy, Sound Blaster) call
 * {@link #transferToMemory} and {@link #transferFromMemory}.
 */
public final class IsaDma implements Snapshottable {
    public static final int DMA1_BASE = 0x00;
    public static final int DMA1_PORTS = 16;
    public static final int DMA2_BASE = 0xC0;
    public static final int DMA2_PORTS = 32;
    public static final int PAGE_BASE = 0x81;
    public static final int PAGE_PORTS = 15;
    public static final int CASCADE_CHANNEL = 4;
    /** Page register port (minus 0x80) of each channel. */
    private static final int[] PAGE_REGISTER_OF_CHANNEL = {0x07, 0x03, 0x01, 0x02, 0x0F, 0x0B, 0x09, 0x0A};

    private final PhysicalMemory memory;
    private final Dma8237 dma1 = new Dma8237("8237A DMA controller 1 (channels 0-3)", 0, false);
    private final Dma8237 dma2 = new Dma8237("8237A DMA controller 2 (channels 4-7)", 1, true);
    /** Registers 0x80-0x8F; index 0 (port 0x80) is never reached through {@link #pageRegisters()}. */
    private final int[] pages = new int[16];
    private final IoDevice pageRegisters = IoDevice.of("DMA page registers",
            (offset, size) -> pages[1 + offset],
            (offset, size, value) -> pages[1 + offset] = value & 0xFF);

    public IsaDma(PhysicalMemory memory) {
        this.memory = memory;
    }

    /** Place at {@link #DMA1_BASE}, {@link #DMA1_PORTS} ports. */
    public IoDevice controller1() {
        return dma1;
    }

    /** Place at {@link #DMA2_BASE}, {@link #DMA2_PORTS} ports. */
    public IoDevice controller2() {
        return dma2;
    }

    /** Place at {@link #PAGE_BASE}, {@link #PAGE_PORTS} ports. */
    public IoDevice pageRegisters() {
        return pageRegisters;
    }

    /** System reset: both controllers cleared and masked, page registers zero. */
    public void reset() {
        dma1.reset();
        dma2.reset();
        Arrays.fill(pages, 0);
    }

    /** A device moves {@code length} bytes into memory (a disk read); returns how many the channel accepted. */
    public int transferToMemory(int channel, byte[] data, int offset, int length) {
        return transfer(channel, Direction.TO_MEMORY, data, offset, length);
    }

    /** A device fetches up to {@code length} bytes from memory (a disk write, sound output). */
    public int transferFromMemory(int channel, byte[] buffer, int offset, int length) {
        return transfer(channel, Direction.FROM_MEMORY, buffer, offset, length);
    }

    /** DREQ from a device; shows in the status register's request bits. */
    public void setRequest(int channel, boolean requesting) {
        controllerOf(channel).setDeviceRequest(channel & 3, requesting);
    }

    /** True if a transfer on the channel would move data now. */
    public boolean isReady(int channel) {
        checkChannel(channel);
        return channel != CASCADE_CHANNEL && cascadeOpen(channel) && controllerOf(channel).canTransfer(channel & 3);
    }

    /** Controller 1 reaches the bus only through controller 2's channel 4, in cascade mode and unmasked. */
    private boolean cascadeOpen(int channel) {
        return channel >= 4 || (dma2.isCascade(0) && dma2.canCascade());
    }

    private int transfer(int channel, Direction direction, byte[] buffer, int offset, int length) {
        checkChannel(channel);
        if (channel == CASCADE_CHANNEL) {
            throw new IllegalArgumentException("DMA channel 4 is the cascade; devices use 0-3 and 5-7");
        }
        if (!cascadeOpen(channel)) {
            return 0;
        }
        return controllerOf(channel).transfer(channel & 3, pages[PAGE_REGISTER_OF_CHANNEL[channel]], direction,
                buffer, offset, length, memory);
    }

    private Dma8237 controllerOf(int channel) {
        checkChannel(channel);
        return channel < 4 ? dma1 : dma2;
    }

    private static void checkChannel(int channel) {
        if (channel < 0 || channel > 7) {
            throw new IllegalArgumentException("DMA channel must be 0-7, got " + channel);
        }
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        dma1.saveState(out);
        dma2.saveState(out);
        for (int page : pages) out.writeByte(page);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("ISA DMA: unsupported state version " + version);
        }
        dma1.restoreState(in);
        dma2.restoreState(in);
        for (int i = 0; i < pages.length; i++) pages[i] = in.readUnsignedByte();
    }
}
