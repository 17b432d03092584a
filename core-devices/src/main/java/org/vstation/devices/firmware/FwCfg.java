package org.vstation.devices.firmware;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.snapshot.Snapshottable;

/*
 * QEMU firmware configuration device (fw_cfg), x86 I/O-port flavour: selector 0x510, data 0x511, DMA 0x514.
 * Follows QEMU's interface specification docs/specs/fw_cfg.rst, and the items SeaBIOS 1.16 reads (paravirt.c).
 */

/**
 * Hands the firmware the machine's configuration as numbered items and named
 * files: RAM size and e820 map, CPU count, boot menu and boot order, and any
 * file another device adds (option ROMs, for instance).
 *
 * <p>We deliberately publish no {@code etc/table-loader}: SeaBIOS then builds
 * its own ACPI tables (RSDP, RSDT, FADT, FACS, its built-in DSDT and an SSDT
 * with \_S5) for the PIIX4 PM function it finds on PCI, with the PM block at
 * 0xB000 and the SCI on IRQ 9. {@code etc/system-states} tells that SSDT to
 * offer only soft-off, the one sleep state the machine implements.
 *
 * <p>Item contents are machine configuration, not device state: a snapshot
 * holds only the selector, the read position and the DMA address register.
 */
public final class FwCfg implements Snapshottable {
    public static final int SELECTOR_PORT = 0x510;
    public static final int DATA_PORT = 0x511;
    public static final int DMA_ADDRESS_PORT = 0x514;

    // Item keys (fw_cfg.rst, "Selector Register"; the 0x8000 range is architecture-specific).
    public static final int SIGNATURE = 0x00;
    public static final int ID = 0x01;
    public static final int UUID = 0x02;
    public static final int RAM_SIZE = 0x03;
    public static final int NOGRAPHIC = 0x04;
    public static final int NB_CPUS = 0x05;
    public static final int NUMA = 0x0D;
    public static final int BOOT_MENU = 0x0E;
    public static final int MAX_CPUS = 0x0F;
    public static final int FILE_DIR = 0x19;
    public static final int FILE_FIRST = 0x20;
    public static final int X86_ACPI_TABLES = 0x8000;
    public static final int X86_SMBIOS_ENTRIES = 0x8001;
    public static final int X86_IRQ0_OVERRIDE = 0x8002;
    public static final int X86_E820_TABLE = 0x8003;
    private static final int SELECTOR_WRITE = 0x4000;

    /** FW_CFG_ID: bit 0, the traditional port interface; bit 1, the DMA interface. */
    public static final int ID_TRADITIONAL = 0x01;
    public static final int ID_DMA = 0x02;

    // DMA control word bits (fw_cfg.rst, "DMA interface").
    public static final int DMA_CTL_ERROR = 0x01;
    public static final int DMA_CTL_READ = 0x02;
    public static final int DMA_CTL_SKIP = 0x04;
    public static final int DMA_CTL_SELECT = 0x08;
    public static final int DMA_CTL_WRITE = 0x10;
    private static final int DMA_ACCESS_SIZE = 16;
    private static final byte[] DMA_SIGNATURE = "QEMU CFG".getBytes(StandardCharsets.US_ASCII);

    /** A file directory entry: size (4), select (2), reserved (2), name (56), all big-endian. */
    public static final int FILE_ENTRY_SIZE = 64;
    public static final int FILE_NAME_SIZE = 56;

    // SMBIOS field entries (FW_CFG_SMBIOS_ENTRIES) and the one field we set (SMBIOS 2.4, 3.3.2: type 1, UUID).
    private static final int SMBIOS_ENTRY_FIELD = 0;
    private static final int SMBIOS_FIELD_HEADER_SIZE = 6;
    private static final int SMBIOS_TYPE_SYSTEM = 1;
    private static final int SMBIOS_SYSTEM_UUID_OFFSET = 8;

    public static final int E820_RAM = 1;
    public static final int E820_ENTRY_SIZE = 20;

    private final PhysicalMemory memory;
    private final Map<Integer, byte[]> items = new HashMap<>();
    private final TreeMap<String, Integer> fileKeys = new TreeMap<>();
    /** SMBIOS fields by table type << 16 | offset. */
    private final TreeMap<Integer, byte[]> smbiosFields = new TreeMap<>();
    private int nextFileKey = FILE_FIRST;

    private int selector;
    private int dataOffset;
    private final byte[] dmaAddress = new byte[8];

    /** A QEMU-style configuration for a machine whose RAM all sits below the PCI hole. */
    public FwCfg(PhysicalMemory memory, int cpuCount) {
        this.memory = memory;
        items.put(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(ID, littleEndian(4, ID_TRADITIONAL | ID_DMA));
        items.put(UUID, new byte[16]);
        items.put(RAM_SIZE, littleEndian(8, memory.ramSize()));
        items.put(NOGRAPHIC, littleEndian(2, 0));
        items.put(NB_CPUS, littleEndian(2, cpuCount));
        items.put(MAX_CPUS, littleEndian(2, cpuCount));
        items.put(NUMA, new byte[8 * (1 + cpuCount)]); // no nodes: a zero count, then a zero node per CPU
        items.put(BOOT_MENU, littleEndian(2, 0));
        items.put(X86_ACPI_TABLES, littleEndian(2, 0));
        items.put(X86_SMBIOS_ENTRIES, littleEndian(2, 0));
        items.put(X86_IRQ0_OVERRIDE, littleEndian(4, 1)); // the PIT's IRQ 0 arrives on I/O APIC pin 2
        items.put(X86_E820_TABLE, littleEndian(4, 0));
        addFile("etc/e820", e820Table(memory.ramSize()));
        // S0 and S5 offered, S3 and S4 not (bit 7 = offered, low bits = the SLP_TYP value).
        addFile("etc/system-states", new byte[] {(byte) 0x80, 0, 0, 0, 0, (byte) 0x80});
        setBootOrder(List.of());
        setBootFailWait(-1);
    }

    /** Claims 0x510-0x511 and the DMA address register 0x514-0x51B. */
    public void place(IoPortBus ioBus) {
        ioBus.place(IoDevice.of("fw_cfg", this::readSelectorOrData, this::writeSelector), SELECTOR_PORT, 2);
        ioBus.place(IoDevice.of("fw_cfg DMA", this::readDmaAddress, this::writeDmaAddress), DMA_ADDRESS_PORT, 8);
    }

    // ---- configuration --------------------------------------------------------------------

    /** Adds or replaces a named file, e.g. "vgaroms/vgabios.bin"; names are at most 55 bytes. */
    public void addFile(String name, byte[] contents) {
        if (name.getBytes(StandardCharsets.UTF_8).length >= FILE_NAME_SIZE) {
            throw new IllegalArgumentException("fw_cfg file name longer than 55 bytes: " + name);
        }
        Integer key = fileKeys.get(name);
        if (key == null) {
            key = nextFileKey++;
            fileKeys.put(name, key);
        }
        items.put(key, contents.clone());
        items.put(FILE_DIR, fileDirectory());
    }

    /** Whether SeaBIOS offers its boot menu ("Press ESC for boot menu"), and how long it waits (ms, 0 = default). */
    public void setBootMenu(boolean enabled, int waitMillis) {
        items.put(BOOT_MENU, littleEndian(2, enabled ? 1 : 0));
        if (waitMillis > 0) {
            addFile("etc/boot-menu-wait", littleEndian(2, waitMillis));
        }
    }

    /** OpenFirmware-style device paths, most preferred first; an empty list leaves the firmware's default order. */
    public void setBootOrder(List<String> devicePaths) {
        String joined = String.join("\n", devicePaths);
        addFile("bootorder", devicePaths.isEmpty() ? new byte[0]
                : (joined + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The machine's UUID, in RFC 4122 byte order, where QEMU's {@code -uuid} puts it: FW_CFG_UUID, and
     * (since SeaBIOS builds its SMBIOS tables from the SMBIOS entries, not from FW_CFG_UUID) a field
     * entry for the UUID of the system information, SMBIOS type 1, offset 8 — as observed with an
     * option ROM reading both items under QEMU's legacy-SMBIOS machine pc-i440fx-2.0.
     */
    public void setUuid(java.util.UUID uuid) {
        byte[] bytes = ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits())
                .array();
        items.put(UUID, bytes);
        smbiosFields.put(SMBIOS_TYPE_SYSTEM << 16 | SMBIOS_SYSTEM_UUID_OFFSET, bytes);
        items.put(X86_SMBIOS_ENTRIES, smbiosEntries());
    }

    /**
     * FW_CFG_SMBIOS_ENTRIES, little-endian: a 16-bit entry count, then per entry a 16-bit length
     * (header included), a kind byte (0: a field of a table SeaBIOS builds), the table type byte and
     * the field's 16-bit offset in that table, then the field's bytes.
     */
    private byte[] smbiosEntries() {
        int size = 2;
        for (byte[] field : smbiosFields.values()) {
            size += SMBIOS_FIELD_HEADER_SIZE + field.length;
        }
        ByteBuffer entries = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        entries.putShort((short) smbiosFields.size());
        for (Map.Entry<Integer, byte[]> field : smbiosFields.entrySet()) {
            entries.putShort((short) (SMBIOS_FIELD_HEADER_SIZE + field.getValue().length))
                    .put((byte) SMBIOS_ENTRY_FIELD)
                    .put((byte) (field.getKey() >>> 16))
                    .putShort((short) (int) field.getKey())
                    .put(field.getValue());
        }
        return entries.array();
    }

    /** Milliseconds before SeaBIOS retries booting when nothing is bootable; -1 means never (QEMU's default). */
    public void setBootFailWait(int millis) {
        addFile("etc/boot-fail-wait", littleEndian(4, millis));
    }

    private static byte[] e820Table(long ramBytes) {
        ByteBuffer table = ByteBuffer.allocate(E820_ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        table.putLong(0).putLong(ramBytes).putInt(E820_RAM);
        return table.array();
    }

    /** FW_CFG_FILE_DIR: a big-endian count, then one entry per file sorted by name. */
    private byte[] fileDirectory() {
        ByteBuffer directory = ByteBuffer.allocate(4 + FILE_ENTRY_SIZE * fileKeys.size());
        directory.putInt(fileKeys.size());
        for (Map.Entry<String, Integer> file : fileKeys.entrySet()) {
            byte[] name = Arrays.copyOf(file.getKey().getBytes(StandardCharsets.UTF_8), FILE_NAME_SIZE);
            directory.putInt(items.get(file.getValue()).length)
                    .putShort((short) (int) file.getValue())
                    .putShort((short) 0)
                    .put(name);
        }
        return directory.array();
    }

    private static byte[] littleEndian(int size, long value) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }

    // ---- traditional interface ---------------------------------------------------------------

    private void select(int key) {
        selector = key & 0xFFFF;
        dataOffset = 0;
    }

    private byte[] selectedItem() {
        return items.get(selector & ~SELECTOR_WRITE);
    }

    /** Reads past the end of an item, or of an item that does not exist, return zero. */
    private int nextDataByte() {
        byte[] item = selectedItem();
        if (item == null || dataOffset >= item.length) {
            return 0;
        }
        return item[dataOffset++] & 0xFF;
    }

    private int readSelectorOrData(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            if (offset + i == 1) {
                value |= nextDataByte() << (8 * i); // the selector itself is write-only and reads as zero
            }
        }
        return value;
    }

    /** Writes to the data port are ignored, as on QEMU since 2.4; items are written only by DMA. */
    private void writeSelector(int offset, int size, int value) {
        if (offset == 0) {
            select(size == 1 ? value & 0xFF : value & 0xFFFF);
        }
    }

    // ---- DMA interface ----------------------------------------------------------------------------

    private int readDmaAddress(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= (DMA_SIGNATURE[offset + i] & 0xFF) << (8 * i);
        }
        return value;
    }

    /** The address register is big-endian; writing its last byte (the low half at 0x518) starts the transfer. */
    private void writeDmaAddress(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            dmaAddress[offset + i] = (byte) (value >>> (8 * i));
        }
        if (offset + size == dmaAddress.length) {
            long accessAddress = ByteBuffer.wrap(dmaAddress).getLong();
            Arrays.fill(dmaAddress, (byte) 0);
            runDma(accessAddress);
        }
    }

    private void runDma(long accessAddress) {
        if (accessAddress < 0 || accessAddress > (1L << 32) - DMA_ACCESS_SIZE) {
            return; // beyond the 32-bit physical address space: nothing to read the request from
        }
        byte[] request = new byte[DMA_ACCESS_SIZE];
        memory.readBytes(accessAddress, request, 0, DMA_ACCESS_SIZE);
        ByteBuffer access = ByteBuffer.wrap(request);
        int control = access.getInt();
        long length = Integer.toUnsignedLong(access.getInt());
        long address = access.getLong();
        if ((control & DMA_CTL_SELECT) != 0) {
            select(control >>> 16);
        }
        boolean ok;
        if ((control & DMA_CTL_READ) != 0) {
            ok = dmaRead(address, length);
        } else if ((control & DMA_CTL_WRITE) != 0) {
            ok = false; // no item is writable
        } else if ((control & DMA_CTL_SKIP) != 0) {
            dataOffset = (int) Math.min(Integer.MAX_VALUE, dataOffset + length);
            ok = true;
        } else {
            ok = true;
        }
        byte[] status = ByteBuffer.allocate(4).putInt(ok ? 0 : DMA_CTL_ERROR).array();
        memory.writeBytes(accessAddress, status, 0, 4);
    }

    /** Copies the rest of the item and zero-fills what lies beyond its end, within RAM. */
    private boolean dmaRead(long address, long length) {
        if (address < 0 || address + length > 1L << 32) {
            return false;
        }
        byte[] item = selectedItem();
        int available = item == null ? 0 : Math.max(0, item.length - dataOffset);
        int fromItem = (int) Math.min(available, length);
        if (fromItem > 0) {
            memory.writeBytes(address, item, dataOffset, fromItem);
            dataOffset += fromItem;
        }
        long zeroStart = address + fromItem;
        long zeroEnd = Math.min(address + length, memory.ramSize());
        byte[] zeros = new byte[4096];
        for (long at = zeroStart; at < zeroEnd; at += zeros.length) {
            memory.writeBytes(at, zeros, 0, (int) Math.min(zeros.length, zeroEnd - at));
        }
        return true;
    }

    // ---- snapshots ------------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        out.writeInt(selector);
        out.writeInt(dataOffset);
        out.write(dmaAddress);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("fw_cfg: unsupported state version " + version);
        }
        selector = in.readInt();
        dataOffset = in.readInt();
        in.readFully(dmaAddress);
    }
}
