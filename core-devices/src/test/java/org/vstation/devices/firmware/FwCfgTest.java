package org.vstation.devices.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;

class FwCfgTest {
    private static final int RAM = 64 * 1024 * 1024;

    private final IoPortBus io = new IoPortBus();
    private final PhysicalMemory memory = new PhysicalMemory(RAM);
    private final FwCfg fwCfg = new FwCfg(memory, 1);

    FwCfgTest() {
        fwCfg.place(io);
    }

    /** A file as the directory lists it. */
    private record DirectoryEntry(int size, int select) {}

    // ---- the port protocol, as SeaBIOS's qemu_cfg_* helpers use it ----

    private byte[] readItem(int key, int length) {
        io.write(0x510, 2, key);
        return readData(length);
    }

    private byte[] readData(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) io.read(0x511, 1);
        }
        return bytes;
    }

    private Map<String, DirectoryEntry> readDirectory() {
        int count = ByteBuffer.wrap(readItem(FwCfg.FILE_DIR, 4)).getInt(); // big-endian
        Map<String, DirectoryEntry> files = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer entry = ByteBuffer.wrap(readData(64));
            int size = entry.getInt();
            int select = entry.getShort() & 0xFFFF;
            entry.getShort();
            byte[] name = new byte[56];
            entry.get(name);
            int end = 0;
            while (end < name.length && name[end] != 0) end++;
            files.put(new String(name, 0, end, StandardCharsets.US_ASCII), new DirectoryEntry(size, select));
        }
        return files;
    }

    private byte[] readFile(String name) {
        DirectoryEntry entry = readDirectory().get(name);
        return readItem(entry.select(), entry.size());
    }

    @Test
    void signatureAndIdAnnounceQemuWithDma() {
        assertEquals("QEMU", new String(readItem(FwCfg.SIGNATURE, 4), StandardCharsets.US_ASCII));
        int id = ByteBuffer.wrap(readItem(FwCfg.ID, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(FwCfg.ID_TRADITIONAL | FwCfg.ID_DMA, id);
    }

    @Test
    void legacyItemsDescribeTheMachine() {
        long ram = ByteBuffer.wrap(readItem(FwCfg.RAM_SIZE, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(RAM, ram);
        assertEquals(1, ByteBuffer.wrap(readItem(FwCfg.NB_CPUS, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort());
        assertEquals(0, ByteBuffer.wrap(readItem(FwCfg.NUMA, 8)).getLong(), "no NUMA nodes");
        assertEquals(0, ByteBuffer.wrap(readItem(FwCfg.BOOT_MENU, 2)).getShort());
        fwCfg.setBootMenu(true, 0);
        assertEquals(1, ByteBuffer.wrap(readItem(FwCfg.BOOT_MENU, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    @Test
    void uuidIsZeroUntilSetThenInRfc4122ByteOrder() {
        assertArrayEquals(new byte[16], readItem(FwCfg.UUID, 16));
        fwCfg.setUuid(java.util.UUID.fromString("01234567-89ab-cdef-0011-223344556677"));
        // What an option ROM reads from QEMU -uuid 01234567-89ab-cdef-0011-223344556677.
        assertArrayEquals(java.util.HexFormat.of().parseHex("0123456789abcdef0011223344556677"),
                readItem(FwCfg.UUID, 16));
        // The SMBIOS entry QEMU pc-i440fx-2.0 gives for it: one field entry, type 1, offset 8.
        assertArrayEquals(java.util.HexFormat.of().parseHex("0100" + "1600" + "00" + "01" + "0800"
                + "0123456789abcdef0011223344556677"), readItem(FwCfg.X86_SMBIOS_ENTRIES, 24));
    }

    @Test
    void readsPastTheEndAndOfMissingItemsReturnZero() {
        byte[] signatureAndMore = readItem(FwCfg.SIGNATURE, 6);
        assertEquals(0, signatureAndMore[4]);
        assertEquals(0, signatureAndMore[5]);
        assertArrayEquals(new byte[4], readItem(0x1234, 4));
    }

    @Test
    void fileDirectoryListsTheFilesSeabiosLooksFor() {
        Map<String, DirectoryEntry> files = readDirectory();
        assertTrue(files.keySet().containsAll(List.of("bootorder", "etc/e820", "etc/boot-fail-wait", "etc/system-states")),
                files.keySet().toString());
        assertEquals(List.copyOf(new TreeSet<>(files.keySet())), List.copyOf(files.keySet()), "sorted by name");
        for (DirectoryEntry entry : files.values()) {
            assertTrue(entry.select() >= FwCfg.FILE_FIRST);
        }
    }

    @Test
    void e820ListsAllRamBelowThePciHole() {
        ByteBuffer e820 = ByteBuffer.wrap(readFile("etc/e820")).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(FwCfg.E820_ENTRY_SIZE, e820.remaining());
        assertEquals(0, e820.getLong());
        assertEquals(RAM, e820.getLong());
        assertEquals(FwCfg.E820_RAM, e820.getInt());
    }

    @Test
    void bootOrderAndBootFailWaitAreFiles() {
        assertEquals(0, readFile("bootorder").length, "no preference: SeaBIOS's default order");
        assertEquals(-1, ByteBuffer.wrap(readFile("etc/boot-fail-wait")).order(ByteOrder.LITTLE_ENDIAN).getInt());
        fwCfg.setBootOrder(List.of("/pci@i0cf8/ide@1,1/drive@1/disk@0", "HALT"));
        assertEquals("/pci@i0cf8/ide@1,1/drive@1/disk@0\nHALT\0",
                new String(readFile("bootorder"), StandardCharsets.US_ASCII));
        fwCfg.addFile("genroms/test.bin", new byte[] {1, 0});
        assertArrayEquals(new byte[] {1, 0}, readFile("genroms/test.bin"));
    }

    // ---- DMA, as SeaBIOS's qemu_cfg_dma_transfer uses it ----

    private static final long ACCESS = 0x7000;
    private static final long BUFFER = 0x8000;

    private int dma(int control, int length, long address) {
        ByteBuffer access = ByteBuffer.allocate(16).putInt(control).putInt(length).putLong(address);
        memory.writeBytes(ACCESS, access.array(), 0, 16);
        io.write(0x518, 4, Integer.reverseBytes((int) ACCESS)); // outl(cpu_to_be32(addr), 0x518)
        byte[] status = new byte[4];
        memory.readBytes(ACCESS, status, 0, 4);
        return ByteBuffer.wrap(status).getInt();
    }

    private byte[] guestBytes(long address, int length) {
        byte[] bytes = new byte[length];
        memory.readBytes(address, bytes, 0, length);
        return bytes;
    }

    @Test
    void dmaPortReadsItsSignature() {
        byte[] signature = new byte[8];
        for (int i = 0; i < 8; i++) signature[i] = (byte) io.read(0x514 + i, 1);
        assertEquals("QEMU CFG", new String(signature, StandardCharsets.US_ASCII));
    }

    @Test
    void dmaSelectAndReadMatchesThePortInterface() {
        int dirSize = 4 + 64 * readDirectory().size();
        byte[] viaPorts = readItem(FwCfg.FILE_DIR, dirSize);
        int status = dma(FwCfg.FILE_DIR << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ, dirSize, BUFFER);
        assertEquals(0, status, "control cleared: done without error");
        assertArrayEquals(viaPorts, guestBytes(BUFFER, dirSize));
    }

    @Test
    void dmaSkipThenReadContinuesWithinTheItem() {
        io.write(0x510, 2, FwCfg.SIGNATURE);
        assertEquals(0, dma(FwCfg.DMA_CTL_SKIP, 2, 0));
        assertEquals(0, dma(FwCfg.DMA_CTL_READ, 2, BUFFER));
        assertEquals("MU", new String(guestBytes(BUFFER, 2), StandardCharsets.US_ASCII));
    }

    @Test
    void dmaReadPastTheEndZeroFills() {
        memory.writeBytes(BUFFER, new byte[] {9, 9, 9, 9, 9, 9}, 0, 6);
        assertEquals(0, dma(FwCfg.SIGNATURE << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ, 6, BUFFER));
        assertArrayEquals(new byte[] {'Q', 'E', 'M', 'U', 0, 0}, guestBytes(BUFFER, 6));
    }

    @Test
    void dmaWriteIsRefusedWithTheErrorBit() {
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(FwCfg.SIGNATURE << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_WRITE, 4, BUFFER));
    }

    @Test
    void dmaWithAnAbsurdLengthZeroFillsOnlyUpToTheEndOfRam() {
        memory.write8(RAM - 1, 0x77);
        assertEquals(0, dma(FwCfg.SIGNATURE << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ, 0xF000_0000, 0x1000));
        assertEquals("QEMU", new String(guestBytes(0x1000, 4), StandardCharsets.US_ASCII));
        assertEquals(0, memory.read8(RAM - 1));
    }

    @Test
    void dmaCrossingTheTopOfTheAddressSpaceFails() {
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(FwCfg.SIGNATURE << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ, -1, 0x1000));
    }
}
