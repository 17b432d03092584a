package org.vstation.devices;

import java.util.Objects;

/**
 * The hardware of one machine as the devices need it: sizes and the bytes
 * of its firmware. Files are read and checked by the caller (the VM runner),
 * which can report a missing or corrupt file to the user before power on.
 */
public final class MachineConfig {
    private int memoryMegabytes = 128;
    private byte[] biosImage;

    public int memoryMegabytes() {
        return memoryMegabytes;
    }

    public MachineConfig memoryMegabytes(int megabytes) {
        if (megabytes < 1 || megabytes > 2047) {
            throw new IllegalArgumentException("memory must be 1-2047 MiB, got " + megabytes);
        }
        this.memoryMegabytes = megabytes;
        return this;
    }

    /** The system BIOS image (SeaBIOS's bios.bin): a multiple of 64 KiB, at most 16 MiB. */
    public byte[] biosImage() {
        return biosImage;
    }

    public MachineConfig biosImage(byte[] image) {
        Objects.requireNonNull(image, "biosImage");
        if (image.length == 0 || image.length % 0x10000 != 0 || image.length > 16 << 20) {
            throw new IllegalArgumentException("a BIOS image must be a multiple of 64 KiB up to 16 MiB, got "
                    + image.length + " bytes");
        }
        this.biosImage = image;
        return this;
    }
}
