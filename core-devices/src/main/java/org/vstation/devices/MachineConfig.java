package org.vstation.devices;

import java.util.Objects;
import java.util.UUID;
import org.vstation.devices.storage.BlockImage;

/**
 * The hardware of one machine as the devices need it: sizes and the bytes
 * of its firmware. Files are read and checked by the caller (the VM runner),
 * which can report a missing or corrupt file to the user before power on.
 */
public final class MachineConfig {
    private int memoryMegabytes = 128;
    private byte[] biosImage;
    private byte[] vgaBiosImage;
    private int videoMemoryMegabytes = 16;
    private BlockImage diskImage;
    private BlockImage cdromImage;
    private UUID uuid;

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

    /** The VGA BIOS (SeaVGABIOS's vgabios-stdvga.bin), the VGA's PCI expansion ROM; null for none. */
    public byte[] vgaBiosImage() {
        return vgaBiosImage;
    }

    public MachineConfig vgaBiosImage(byte[] image) {
        if (image != null && (image.length < 3 || (image[0] & 0xFF) != 0x55 || (image[1] & 0xFF) != 0xAA)) {
            throw new IllegalArgumentException("a VGA BIOS image must start with the option ROM signature 55 AA");
        }
        this.vgaBiosImage = image;
        return this;
    }

    public int videoMemoryMegabytes() {
        return videoMemoryMegabytes;
    }

    /** Video memory (the VGA's BAR0): 1, 2, 4, 8, 16, 32, 64 or 128 MiB. */
    public MachineConfig videoMemoryMegabytes(int megabytes) {
        if (megabytes < 1 || megabytes > 128 || Integer.bitCount(megabytes) != 1) {
            throw new IllegalArgumentException("video memory must be a power of two from 1 to 128 MiB, got " + megabytes);
        }
        this.videoMemoryMegabytes = megabytes;
        return this;
    }

    /** The hard disk (IDE primary master), opened by the caller; null for none. */
    public BlockImage diskImage() {
        return diskImage;
    }

    public MachineConfig diskImage(BlockImage image) {
        if (image != null && image.readOnly()) {
            throw new IllegalArgumentException(image.description() + " is read-only; a hard disk image must be writable");
        }
        this.diskImage = image;
        return this;
    }

    /** The medium in the CD/DVD drive (IDE secondary master) at power on; null for an empty drive. */
    public BlockImage cdromImage() {
        return cdromImage;
    }

    public MachineConfig cdromImage(BlockImage image) {
        this.cdromImage = image;
        return this;
    }

    /** The VM's identity; drive serial numbers derive from it. Null: derived from the machine's name. */
    public UUID uuid() {
        return uuid;
    }

    public MachineConfig uuid(UUID value) {
        this.uuid = value;
        return this;
    }

    // ---- network adapter (RTL8139) ----
    private byte[] nicMac;

    /** The RTL8139's MAC address, or null for a machine without a network adapter. */
    public byte[] nicMac() {
        return nicMac == null ? null : nicMac.clone();
    }

    public MachineConfig nicMac(byte[] mac) {
        if (mac != null && mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, got " + mac.length);
        }
        this.nicMac = mac == null ? null : mac.clone();
        return this;
    }
}
