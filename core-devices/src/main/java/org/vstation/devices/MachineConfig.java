package org.vstation.devices;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.vstation.devices.storage.BlockImage;
import org.vstation.devices.timer.Mc146818Rtc.BootDevice;

/**
 * The hardware of one machine as the devices need it: sizes and the bytes
 * of its firmware. Files are read and checked by the caller (the VM runner),
 * which can report a missing or corrupt file to the user before power on.
 */
public final class MachineConfig {
    /**
     * Guest RAM is one Java array from physical address 0 ({@code PhysicalMemory}), so it stays
     * below 2 GiB; it then also stays below the PCI hole SeaBIOS opens at 2 GiB or higher.
     */
    public static final int MAX_MEMORY_MEGABYTES = 2047;

    /** The largest video memory (BAR0 of the VGA); sizes are powers of two. */
    public static final int MAX_VIDEO_MEMORY_MEGABYTES = 128;

    /** QEMU's default for its {@code pc} machine, {@code -boot order=cad}: hard disk, floppy, CD. */
    public static final List<BootDevice> DEFAULT_BOOT_ORDER =
            List.of(BootDevice.HARD_DISK, BootDevice.FLOPPY, BootDevice.CD_ROM);

    /** Where a hard disk sits on the PIIX3's two IDE channels; the secondary master is the CD/DVD drive. */
    public enum DiskPosition {
        PRIMARY_MASTER(0, 0), PRIMARY_SLAVE(0, 1), SECONDARY_SLAVE(1, 1);

        private final int channel;
        private final int drive;

        DiskPosition(int channel, int drive) {
            this.channel = channel;
            this.drive = drive;
        }

        /** 0 for the primary channel, 1 for the secondary. */
        public int channel() {
            return channel;
        }

        /** 0 for the master, 1 for the slave. */
        public int drive() {
            return drive;
        }
    }

    private int memoryMegabytes = 128;
    private byte[] biosImage;
    private byte[] vgaBiosImage;
    private int videoMemoryMegabytes = 16;
    private final Map<DiskPosition, BlockImage> disks = new EnumMap<>(DiskPosition.class);
    private BlockImage cdromImage;
    private UUID uuid;
    private List<BootDevice> bootOrder = DEFAULT_BOOT_ORDER;

    public int memoryMegabytes() {
        return memoryMegabytes;
    }

    public MachineConfig memoryMegabytes(int megabytes) {
        if (megabytes < 1 || megabytes > MAX_MEMORY_MEGABYTES) {
            throw new IllegalArgumentException("memory must be 1-" + MAX_MEMORY_MEGABYTES + " MiB, got " + megabytes);
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
        if (megabytes < 1 || megabytes > MAX_VIDEO_MEMORY_MEGABYTES || Integer.bitCount(megabytes) != 1) {
            throw new IllegalArgumentException("video memory must be a power of two from 1 to 128 MiB, got " + megabytes);
        }
        this.videoMemoryMegabytes = megabytes;
        return this;
    }

    /** The hard disk on the IDE primary master, opened by the caller; null for none. */
    public BlockImage diskImage() {
        return diskImage(DiskPosition.PRIMARY_MASTER);
    }

    public MachineConfig diskImage(BlockImage image) {
        return diskImage(DiskPosition.PRIMARY_MASTER, image);
    }

    /** The hard disk at this IDE position, or null for none. */
    public BlockImage diskImage(DiskPosition position) {
        return disks.get(position);
    }

    /** Attaches a hard disk, opened by the caller, at this IDE position; null leaves the position empty. */
    public MachineConfig diskImage(DiskPosition position, BlockImage image) {
        Objects.requireNonNull(position, "position");
        if (image != null && image.readOnly()) {
            throw new IllegalArgumentException(image.description() + " is read-only; a hard disk image must be writable");
        }
        if (image == null) {
            disks.remove(position);
        } else {
            disks.put(position, image);
        }
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

    /**
     * The firmware's boot order, at most three devices, as SeaBIOS reads it from CMOS 0x3D/0x38
     * (QEMU's {@code -boot order=}); SeaBIOS tries what is left after these.
     */
    public List<BootDevice> bootOrder() {
        return bootOrder;
    }

    public MachineConfig bootOrder(List<BootDevice> order) {
        if (order.isEmpty() || order.size() > 3 || order.stream().distinct().count() != order.size()) {
            throw new IllegalArgumentException("a boot order lists one to three different devices, got " + order);
        }
        this.bootOrder = List.copyOf(order);
        return this;
    }

    /**
     * The VM's identity: SeaBIOS's SMBIOS system UUID (fw_cfg, as QEMU's {@code -uuid}), and drive
     * serial numbers derive from it. Null: a zero UUID for the firmware, serials from the machine's name.
     */
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
