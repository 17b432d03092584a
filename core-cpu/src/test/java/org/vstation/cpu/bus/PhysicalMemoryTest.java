package org.vstation.cpu.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhysicalMemoryTest {
    private final PhysicalMemory memory = new PhysicalMemory(2 << 20);

    /** A window that records accesses and answers offset-derived values. */
    static final class Window implements MemoryMappedDevice {
        final String name;
        final List<String> writes = new ArrayList<>();

        Window(String name) {
            this.name = name;
        }

        @Override public String name() { return name; }
        @Override public int read(long offset, int size) { return (int) offset * 0x10 + size; }
        @Override public void write(long offset, int size, int value) {
            writes.add(Long.toHexString(offset) + "/" + size + "=" + Integer.toHexString(value));
        }
    }

    @Test
    void ramIsLittleEndianAtEveryWidthAndAcrossPages() {
        memory.write32(0x1000, 0x11223344);
        assertEquals(0x44, memory.read8(0x1000));
        assertEquals(0x3344, memory.read16(0x1000));
        assertEquals(0x11223344, memory.read32(0x1000));

        memory.write32(0x1FFE, 0xAABBCCDD); // straddles two pages
        assertEquals(0xAABBCCDD, memory.read32(0x1FFE));
        assertEquals(0xCCDD, memory.read16(0x1FFE));
        assertEquals(0xAA, memory.read8(0x2001));
    }

    @Test
    void unmappedAddressesFloatHigh() {
        assertEquals(0xFF, memory.read8(0x4000_0000L));
        assertEquals(0xFFFF, memory.read16(0x4000_0000L));
        assertEquals(-1, memory.read32(0x4000_0000L));
        memory.write32(0x4000_0000L, 0x1234); // ignored, no exception
    }

    @Test
    void deviceWindowSeesOffsetsAndHidesRamBehindIt() {
        Window vga = new Window("VGA");
        memory.mapDevice(0xA0000, 0x20000, vga);
        assertEquals(0x10 * 0x10 + 2, memory.read16(0xA0010));
        memory.write8(0xB8000, 0x41);
        assertEquals(List.of("18000/1=41"), vga.writes);
        assertFalse(memory.readsRam(0xA0));

        memory.unmapDevice(0xA0000, 0x20000);
        assertTrue(memory.readsRam(0xA0), "RAM shows through again");
    }

    @Test
    void overlappingWindowsAreRefusedNamingBoth() {
        memory.mapDevice(0xFEBF0000L, 0x1000, new Window("NIC"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> memory.mapDevice(0xFEBF0000L, 0x2000, new Window("VGA LFB")));
        assertTrue(e.getMessage().contains("NIC") && e.getMessage().contains("VGA LFB"), e.getMessage());
    }

    @Test
    void misalignedWindowsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> memory.mapDevice(0x1234, 0x1000, new Window("x")));
        assertThrows(IllegalArgumentException.class, () -> memory.mapDevice(0x1000, 0x800, new Window("x")));
    }

    @Test
    void shadowAccessChoosesBetweenRomAndRamPerDirection() {
        Window rom = new Window("BIOS");
        memory.mapDevice(0xF0000, 0x10000, rom);
        memory.write8(0xF0000, 0x99);
        assertEquals(List.of("0/1=99"), rom.writes, "PAM off: writes go to the ROM side");

        memory.setShadowAccess(0xF0000, 0x10000, false, true); // copy BIOS to RAM: read ROM, write RAM
        memory.write8(0xF0000, 0x5A);
        assertEquals(0x01, memory.read8(0xF0000), "still reading the ROM side");
        memory.setShadowAccess(0xF0000, 0x10000, true, false); // shadowed and write protected
        assertEquals(0x5A, memory.read8(0xF0000));
        memory.write8(0xF0000, 0x00);
        assertEquals(0x5A, memory.read8(0xF0000), "write-protected shadow RAM keeps its contents");
    }

    @Test
    void writesToCodePagesAreReportedFromAnyPath() {
        List<String> reported = new ArrayList<>();
        memory.setCodeWriteListener((address, size) -> reported.add(Long.toHexString(address) + "/" + size));
        memory.markCodePage(0x7);
        assertFalse(memory.writesRamDirectly(0x7), "CPU fast path must not bypass the report");
        memory.write16(0x7C00, 0x1234);
        memory.writeBytes(0x7FFE, new byte[]{1, 2, 3, 4}, 0, 4); // DMA straddling into page 8
        memory.write8(0x9000, 1); // not a code page
        assertEquals(List.of("7c00/2", "7ffe/2"), reported);
        memory.clearCodePage(0x7);
        assertTrue(memory.writesRamDirectly(0x7));
    }

    @Test
    void mapChangesNotifyListenersForTlbFlush() {
        int[] changes = {0};
        memory.addMapChangeListener(() -> changes[0]++);
        memory.mapDevice(0xA0000, 0x1000, new Window("w"));
        memory.setShadowAccess(0xA0000, 0x1000, true, true);
        memory.unmapDevice(0xA0000, 0x1000);
        assertEquals(3, changes[0]);
    }

    @Test
    void bulkCopiesCrossRamAndDevices() {
        byte[] source = new byte[8192];
        for (int i = 0; i < source.length; i++) source[i] = (byte) i;
        memory.writeBytes(0x10FF0, source, 0, source.length);
        byte[] back = new byte[8192];
        memory.readBytes(0x10FF0, back, 0, back.length);
        assertEquals(java.util.Arrays.toString(source), java.util.Arrays.toString(back));

        Window device = new Window("dev");
        memory.mapDevice(0x20000, 0x1000, device);
        memory.writeBytes(0x1FFFE, new byte[]{7, 8, 9}, 0, 3);
        assertEquals(List.of("0/1=9"), device.writes);
        assertEquals(8, memory.read8(0x1FFFF));
    }

    @Test
    void ramSizeIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(1000));
        assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(0));
    }
}
