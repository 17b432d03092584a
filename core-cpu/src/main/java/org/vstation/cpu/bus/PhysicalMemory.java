package org.vstation.cpu.bus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The 4 GiB physical address space of one machine: guest RAM in one byte
 * array, plus device windows (MMIO, ROM) placed at 4 KiB granularity.
 *
 * <p>Each page records whether reads and writes go to RAM or to the device
 * mapped there, so plain RAM never pays for a device lookup and the chipset
 * can model shadow RAM (PAM registers: read from ROM, write to RAM, and so
 * on). RAM pages are identity-mapped: physical address = offset in {@link #ram()}.
 *
 * <p>Pages that hold pre-decoded code are flagged by the CPU; a write into
 * such a page, from the CPU's slow path or from DMA, reaches the
 * {@link CodeWriteListener} so stale decoded blocks are dropped.
 *
 * <p>Not thread-safe: owned by the VM thread, like every device.
 */
public final class PhysicalMemory {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final int PAGE_COUNT = 1 << (32 - PAGE_SHIFT);
    /** Largest RAM a machine can have: one Java array. */
    public static final int MAX_RAM_BYTES = 2047 * 1024 * 1024;

    private static final byte READ_RAM = 1;
    private static final byte WRITE_RAM = 2;
    private static final byte CODE = 4;

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** A device window: the device and the physical address its offset 0 sits at. */
    private record Mapping(MemoryMappedDevice device, long base) {}

    private final byte[] ram;
    private final byte[] pageFlags = new byte[PAGE_COUNT];
    private final Mapping[] pageMappings = new Mapping[PAGE_COUNT];
    private final List<Runnable> mapChangeListeners = new ArrayList<>();
    private CodeWriteListener codeWriteListener = (address, size) -> { };

    public PhysicalMemory(int ramBytes) {
        if (ramBytes <= 0 || ramBytes > MAX_RAM_BYTES || (ramBytes & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4 KiB up to 2047 MiB, got " + ramBytes);
        }
        ram = new byte[ramBytes];
        int ramPages = ramBytes >>> PAGE_SHIFT;
        for (int page = 0; page < ramPages; page++) {
            pageFlags[page] = READ_RAM | WRITE_RAM;
        }
    }

    /** The RAM array itself, for the CPU's fast paths and for DMA. */
    public byte[] ram() {
        return ram;
    }

    public int ramSize() {
        return ram.length;
    }

    // ---- placement ---------------------------------------------------------

    /**
     * Places a device window at {@code base} for {@code length} bytes (both
     * multiples of 4 KiB). Reads and writes there go to the device. Refuses a
     * window that overlaps another device's, naming both.
     */
    public void mapDevice(long base, long length, MemoryMappedDevice device) {
        checkWindow(base, length);
        int first = (int) (base >>> PAGE_SHIFT);
        int last = (int) ((base + length - 1) >>> PAGE_SHIFT);
        for (int page = first; page <= last; page++) {
            Mapping existing = pageMappings[page];
            if (existing != null && existing.device() != device) {
                throw new IllegalStateException(String.format(
                        "%s at 0x%08x-0x%08x overlaps %s at physical page 0x%08x",
                        device.name(), base, base + length - 1, existing.device().name(), (long) page << PAGE_SHIFT));
            }
        }
        Mapping mapping = new Mapping(device, base);
        for (int page = first; page <= last; page++) {
            pageMappings[page] = mapping;
            pageFlags[page] &= CODE;
        }
        notifyMapChanged();
    }

    /** Removes whatever device window covers the range; RAM shows through again where there is RAM. */
    public void unmapDevice(long base, long length) {
        checkWindow(base, length);
        int first = (int) (base >>> PAGE_SHIFT);
        int last = (int) ((base + length - 1) >>> PAGE_SHIFT);
        for (int page = first; page <= last; page++) {
            pageMappings[page] = null;
            pageFlags[page] = (byte) ((pageFlags[page] & CODE) | (isRamBacked(page) ? READ_RAM | WRITE_RAM : 0));
        }
        notifyMapChanged();
    }

    /**
     * Chooses, for RAM-backed pages that also have a device window (the
     * 0xC0000-0xFFFFF shadow region), whether reads and writes go to RAM or to
     * the device. This is what the i440FX PAM registers control.
     */
    public void setShadowAccess(long base, long length, boolean readFromRam, boolean writeToRam) {
        checkWindow(base, length);
        int first = (int) (base >>> PAGE_SHIFT);
        int last = (int) ((base + length - 1) >>> PAGE_SHIFT);
        for (int page = first; page <= last; page++) {
            if (!isRamBacked(page)) {
                throw new IllegalArgumentException(String.format("no RAM behind page 0x%08x", (long) page << PAGE_SHIFT));
            }
            int flags = pageFlags[page] & CODE;
            if (readFromRam) flags |= READ_RAM;
            if (writeToRam) flags |= WRITE_RAM;
            pageFlags[page] = (byte) flags;
        }
        notifyMapChanged();
    }

    private boolean isRamBacked(int page) {
        return (long) page << PAGE_SHIFT < ram.length;
    }

    private static void checkWindow(long base, long length) {
        if (base < 0 || length <= 0 || base + length > 1L << 32
                || (base & (PAGE_SIZE - 1)) != 0 || (length & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "window 0x%x+0x%x is not 4 KiB aligned inside the 4 GiB space", base, length));
        }
    }

    /** Called whenever the page map changes, so the CPU can flush its TLB. */
    public void addMapChangeListener(Runnable listener) {
        mapChangeListeners.add(listener);
    }

    private void notifyMapChanged() {
        for (Runnable listener : mapChangeListeners) {
            listener.run();
        }
    }

    // ---- queries for the CPU's TLB -------------------------------------------

    /** True if reads of this physical page can go straight to {@link #ram()}. */
    public boolean readsRam(int page) {
        return (pageFlags[page] & READ_RAM) != 0;
    }

    /** True if writes to this page can go straight to {@link #ram()} (RAM, and no decoded code on it). */
    public boolean writesRamDirectly(int page) {
        return (pageFlags[page] & (WRITE_RAM | CODE)) == WRITE_RAM;
    }

    // ---- decoded-code tracking -------------------------------------------------

    public void setCodeWriteListener(CodeWriteListener listener) {
        codeWriteListener = listener;
    }

    /** Marks a page as holding decoded code; writes to it are reported from now on. */
    public void markCodePage(int page) {
        if ((pageFlags[page] & CODE) == 0) {
            pageFlags[page] |= CODE;
            notifyMapChanged();
        }
    }

    /** Clears the mark once no decoded block of the page survives. */
    public void clearCodePage(int page) {
        pageFlags[page] &= ~CODE;
    }

    public boolean isCodePage(int page) {
        return (pageFlags[page] & CODE) != 0;
    }

    // ---- access ----------------------------------------------------------------

    public int read8(long address) {
        int page = (int) (address >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
        if ((pageFlags[page] & READ_RAM) != 0) {
            return ram[(int) address] & 0xFF;
        }
        return readDevice(page, address, 1);
    }

    public int read16(long address) {
        if ((address & (PAGE_SIZE - 1)) > PAGE_SIZE - 2) {
            return read8(address) | read8(address + 1) << 8;
        }
        int page = (int) (address >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
        if ((pageFlags[page] & READ_RAM) != 0) {
            return (short) SHORT_LE.get(ram, (int) address) & 0xFFFF;
        }
        return readDevice(page, address, 2);
    }

    public int read32(long address) {
        if ((address & (PAGE_SIZE - 1)) > PAGE_SIZE - 4) {
            return read16(address) | read16(address + 2) << 16;
        }
        int page = (int) (address >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
        if ((pageFlags[page] & READ_RAM) != 0) {
            return (int) INT_LE.get(ram, (int) address);
        }
        return readDevice(page, address, 4);
    }

    public void write8(long address, int value) {
        int page = (int) (address >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
        byte flags = pageFlags[page];
        if ((flags & WRITE_RAM) != 0) {
            ram[(int) address] = (byte) value;
            if ((flags & CODE) != 0) codeWriteListener.codeWritten(address, 1);
        } else {
            writeDevice(page, address, 1, value & 0xFF);
        }
    }

    public void write16(long address, int value) {
        if ((address & (PAGE_SIZE - 1)) > PAGE_SIZE - 2) {
            write8(address, value);
            write8(address + 1, value >>> 8);
            return;
        }
        int page = (int) (address >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
        byte flags = pageFlags[page];
        if ((flags & WRITE_RAM) != 0) {
            SHORT_LE.set(ram, (int) address, (short) value);
            if ((flags & CODE) != 0) codeWriteListener.codeWritten(address, 2);
        } else {
            writeDevice(page, address, 2, value & 0xFFFF);
        }
    }

    public void write32(long address, int value) {
        if ((address & (PAGE_SIZE - 1)) > PAGE_SIZE - 4) {
            write16(address, value);
            write16(address + 2, value >>> 16);
            return;
        }
        int page = (int) (address >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
        byte flags = pageFlags[page];
        if ((flags & WRITE_RAM) != 0) {
            INT_LE.set(ram, (int) address, value);
            if ((flags & CODE) != 0) codeWriteListener.codeWritten(address, 4);
        } else {
            writeDevice(page, address, 4, value);
        }
    }

    /** Bulk read for DMA; crosses pages and devices as needed. */
    public void readBytes(long address, byte[] destination, int offset, int length) {
        for (int i = 0; i < length; i++) {
            long a = address + i;
            int page = (int) (a >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
            if ((pageFlags[page] & READ_RAM) != 0) {
                int run = (int) Math.min(length - i, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
                System.arraycopy(ram, (int) a, destination, offset + i, run);
                i += run - 1;
            } else {
                destination[offset + i] = (byte) readDevice(page, a, 1);
            }
        }
    }

    /** Bulk write for DMA; crosses pages and devices as needed and reports code writes. */
    public void writeBytes(long address, byte[] source, int offset, int length) {
        for (int i = 0; i < length; i++) {
            long a = address + i;
            int page = (int) (a >>> PAGE_SHIFT) & (PAGE_COUNT - 1);
            byte flags = pageFlags[page];
            if ((flags & WRITE_RAM) != 0) {
                int run = (int) Math.min(length - i, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
                System.arraycopy(source, offset + i, ram, (int) a, run);
                if ((flags & CODE) != 0) codeWriteListener.codeWritten(a, run);
                i += run - 1;
            } else {
                writeDevice(page, a, 1, source[offset + i] & 0xFF);
            }
        }
    }

    private int readDevice(int page, long address, int size) {
        Mapping mapping = pageMappings[page];
        if (mapping == null) {
            return size == 4 ? -1 : (1 << (size * 8)) - 1; // open bus reads all ones
        }
        return mapping.device().read((address & 0xFFFF_FFFFL) - mapping.base(), size);
    }

    private void writeDevice(int page, long address, int size, int value) {
        Mapping mapping = pageMappings[page];
        if (mapping != null) {
            mapping.device().write((address & 0xFFFF_FFFFL) - mapping.base(), size, value);
        }
    }
}
