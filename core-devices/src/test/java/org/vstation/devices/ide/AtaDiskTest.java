package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.devices.ide.IdeTestBench.PRIMARY;
import static org.vstation.devices.ide.IdeTestBench.PRIMARY_CONTROL;
import static org.vstation.devices.ide.IdeTestBench.SECONDARY;
import static org.vstation.devices.ide.IdeTestBench.assertStatus;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.pci.PciDevice;
import org.vstation.devices.storage.BlockImage;
import org.vstation.devices.storage.HostIo;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.devices.storage.WorkerHostIo;

/** The ATA disk on the primary channel, driven through the task file and the bus master like a driver. */
class AtaDiskTest {
    private static final long SECTORS = 8192; // 4 MiB
    private static final int STATUS_READY = IdeDevice.STATUS_DRDY | IdeDevice.STATUS_DSC;
    private static final int STATUS_DATA = STATUS_READY | IdeDevice.STATUS_DRQ;

    @TempDir
    Path dir;
    private Path imagePath;
    private RawDiskImage image;
    private IdeTestBench bench;

    @BeforeEach
    void setUp() throws Exception {
        imagePath = dir.resolve("disk.img");
        RawDiskImage.create(imagePath, SECTORS * 512);
        try (FileChannel file = FileChannel.open(imagePath, StandardOpenOption.WRITE)) {
            for (long lba = 0; lba < 64; lba++) {
                file.write(ByteBuffer.wrap(pattern(lba)), lba * 512);
            }
        }
        image = RawDiskImage.open(imagePath);
        bench = new IdeTestBench().enable();
        bench.ide.primary().attach(0, new AtaDisk("disk", image, "VS-0123456789", "VStation HARDDISK"));
    }

    @AfterEach
    void tearDown() throws IOException {
        image.close();
    }

    /** Sector contents that name their own LBA. */
    static byte[] pattern(long lba) {
        byte[] sector = new byte[512];
        for (int i = 0; i < 512; i++) {
            sector[i] = (byte) (lba * 7 + i * 13 + (lba >>> 8));
        }
        return sector;
    }

    private byte[] fileSector(long lba) throws IOException {
        byte[] sector = new byte[512];
        try (FileChannel file = FileChannel.open(imagePath, StandardOpenOption.READ)) {
            file.read(ByteBuffer.wrap(sector), lba * 512);
        }
        return sector;
    }

    private static int word(byte[] identify, int index) {
        return (identify[2 * index] & 0xFF) | (identify[2 * index + 1] & 0xFF) << 8;
    }

    private static String ataString(byte[] identify, int firstWord, int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            int w = word(identify, firstWord + i);
            text.append((char) (w >>> 8)).append((char) (w & 0xFF));
        }
        return text.toString().trim();
    }

    private byte[] identify() {
        bench.select(PRIMARY, 0);
        assertStatus(STATUS_DATA, bench.command(PRIMARY, IdeDevice.CMD_IDENTIFY_DEVICE), "IDENTIFY data ready");
        assertTrue(bench.irqLevel[14], "IRQ 14 with the data");
        byte[] data = bench.readData(PRIMARY, 512);
        assertStatus(STATUS_READY, bench.in8(PRIMARY + 7), "status after the block");
        assertFalse(bench.irqLevel[14], "reading status acknowledged the interrupt");
        return data;
    }

    @Test
    void identifyDescribesTheDisk() {
        byte[] id = identify();
        assertEquals("VS-0123456789", ataString(id, 10, 10));
        assertEquals("VStation HARDDISK", ataString(id, 27, 20));
        assertEquals(0x0040, word(id, 0));
        assertEquals(SECTORS, word(id, 60) | (long) word(id, 61) << 16, "LBA28 capacity");
        assertEquals(SECTORS, word(id, 100) | (long) word(id, 101) << 16, "LBA48 capacity");
        assertEquals(0x0300, word(id, 49) & 0x0300, "LBA and DMA");
        assertEquals(0x0400, word(id, 83) & 0x0400, "48-bit addressing");
        assertEquals(SECTORS / (16 * 63), word(id, 1), "cylinders");
        assertEquals(16, word(id, 3));
        assertEquals(63, word(id, 6));
        int sum = 0;
        for (byte b : id) {
            sum += b & 0xFF;
        }
        assertEquals(0xA5, id[510] & 0xFF);
        assertEquals(0, sum & 0xFF, "integrity word checksum");
    }

    @Test
    void lba48CapacityBeyondLba28(@TempDir Path big) throws Exception {
        Path path = big.resolve("big.img");
        long sectors = (1L << 28) + 4096; // 128 GiB + 2 MiB, sparse
        RawDiskImage.create(path, sectors * 512);
        try (RawDiskImage bigImage = RawDiskImage.open(path)) {
            IdeTestBench other = new IdeTestBench().enable();
            other.ide.primary().attach(0, new AtaDisk("big", bigImage, "S", "M"));
            other.select(PRIMARY, 0);
            other.command(PRIMARY, IdeDevice.CMD_IDENTIFY_DEVICE);
            byte[] id = other.readData(PRIMARY, 512);
            assertEquals((1L << 28) - 1, word(id, 60) | (long) word(id, 61) << 16, "LBA28 capacity saturates");
            assertEquals(sectors, word(id, 100) | (long) word(id, 101) << 16 | (long) word(id, 102) << 32);

            byte[] sector = pattern(1L << 28);
            other.lba48(PRIMARY, 0, (1L << 28) + 5, 1);
            assertStatus(STATUS_DATA, other.command(PRIMARY, AtaDisk.CMD_WRITE_SECTORS_EXT), "write DRQ");
            other.writeData(PRIMARY, sector, 0, 512);
            assertStatus(STATUS_READY, other.waitNotBusy(PRIMARY), "written");
            other.lba48(PRIMARY, 0, (1L << 28) + 5, 1);
            other.command(PRIMARY, AtaDisk.CMD_READ_SECTORS_EXT);
            assertArrayEquals(sector, other.readData(PRIMARY, 512));
            byte[] inFile = new byte[512];
            bigImage.read(((1L << 28) + 5) * 512, inFile, 0, 512);
            assertArrayEquals(sector, inFile);
        }
    }

    @Test
    void softResetLeavesSignatures() {
        bench.ide.primary().attach(1, new AtapiCdrom("cd", "CD1", "VStation DVD-ROM"));
        bench.lba28(PRIMARY, 1, 0x123456, 9);
        bench.out8(PRIMARY_CONTROL, IdeChannel.CONTROL_SRST | IdeChannel.CONTROL_NIEN);
        assertStatus(IdeDevice.STATUS_BSY, bench.in8(PRIMARY_CONTROL), "BSY during reset");
        bench.out8(PRIMARY_CONTROL, IdeChannel.CONTROL_NIEN);
        assertStatus(IdeDevice.STATUS_BSY, bench.in8(PRIMARY_CONTROL), "still BSY right after SRST clears");
        bench.advance(1_000_000);
        assertEquals(0, bench.in8(PRIMARY + IdeChannel.REG_DEVICE) & 0x10, "device 0 selected after reset");
        assertStatus(STATUS_READY, bench.in8(PRIMARY + 7), "ATA status");
        assertEquals(1, bench.in8(PRIMARY + 1), "diagnostic code");
        assertEquals(1, bench.in8(PRIMARY + 2));
        assertEquals(1, bench.in8(PRIMARY + 3));
        assertEquals(0, bench.in8(PRIMARY + 4));
        assertEquals(0, bench.in8(PRIMARY + 5));
        bench.select(PRIMARY, 1);
        assertEquals(0, bench.in8(PRIMARY + 7), "PACKET device status");
        assertEquals(1, bench.in8(PRIMARY + 2));
        assertEquals(1, bench.in8(PRIMARY + 3));
        assertEquals(0x14, bench.in8(PRIMARY + 4));
        assertEquals(0xEB, bench.in8(PRIMARY + 5));
        assertEquals(0, bench.irqRises[14], "nIEN kept the reset silent");
    }

    @Test
    void absentDevicesReadAsNothing() {
        bench.select(PRIMARY, 1);
        bench.out8(PRIMARY + 2, 0x55);
        assertEquals(0, bench.in8(PRIMARY + 2), "absent device 1 next to a device 0");
        assertEquals(0, bench.in8(PRIMARY + 7));
        bench.out8(PRIMARY + 7, IdeDevice.CMD_IDENTIFY_DEVICE);
        bench.advance(1_000_000);
        assertEquals(0, bench.irqRises[14]);
        assertEquals(0xFF, bench.in8(SECONDARY + 7), "empty channel floats");
    }

    @Test
    void pioReadOneInterruptPerSector() {
        bench.lba28(PRIMARY, 0, 10, 3);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_READ_SECTORS);
        assertStatus(IdeDevice.STATUS_BSY | IdeDevice.STATUS_DRDY, bench.in8(PRIMARY_CONTROL), "busy first");
        assertFalse(bench.irqLevel[14]);
        for (int lba = 10; lba < 13; lba++) {
            bench.waitNotBusy(PRIMARY);
            assertTrue(bench.irqLevel[14], "interrupt for sector " + lba);
            assertStatus(STATUS_DATA, bench.in8(PRIMARY + 7), "DRQ for sector " + lba);
            assertArrayEquals(pattern(lba), bench.readData(PRIMARY, 512), "sector " + lba);
        }
        assertStatus(STATUS_READY, bench.in8(PRIMARY + 7), "done");
        assertEquals(3, bench.irqRises[14]);
    }

    @Test
    void activityGrowsWithWorkOnlyForTheDriveThatWorks() {
        AtapiCdrom idleDrive = new AtapiCdrom("cd", "CD1", "VStation DVD-ROM");
        bench.ide.secondary().attach(0, idleDrive);
        AtaDisk disk = (AtaDisk) bench.ide.primary().device(0);
        long before = disk.activityCount();
        long idleBefore = idleDrive.activityCount();
        bench.advance(5_000_000);
        assertEquals(before, disk.activityCount(), "an idle drive shows no activity");
        bench.lba28(PRIMARY, 0, 10, 3);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        for (int sector = 0; sector < 3; sector++) {
            bench.readData(PRIMARY, 512);
            bench.waitNotBusy(PRIMARY);
        }
        assertTrue(disk.activityCount() >= before + 3, "the command and its three sectors: " + disk.activityCount());
        assertEquals(idleBefore, idleDrive.activityCount(), "the other channel's drive stayed dark");
    }

    @Test
    void thirtyTwoBitDataAccess() {
        bench.lba28(PRIMARY, 0, 2, 1);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        ByteBuffer data = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 128; i++) {
            data.putInt(bench.io.read(PRIMARY, 4));
        }
        assertArrayEquals(pattern(2), data.array());
    }

    @Test
    void pioWriteReachesTheImage() throws IOException {
        bench.lba28(PRIMARY, 0, 100, 2);
        assertStatus(STATUS_DATA, bench.command(PRIMARY, AtaDisk.CMD_WRITE_SECTORS), "DRQ for the first sector");
        assertEquals(0, bench.irqRises[14], "no interrupt before the first block of a write");
        bench.writeData(PRIMARY, pattern(1000), 0, 512);
        assertStatus(STATUS_DATA, bench.waitNotBusy(PRIMARY), "DRQ for the second sector");
        assertEquals(1, bench.irqRises[14]);
        bench.in8(PRIMARY + 7);
        bench.writeData(PRIMARY, pattern(1001), 0, 512);
        assertStatus(STATUS_READY, bench.waitNotBusy(PRIMARY), "done");
        assertEquals(2, bench.irqRises[14]);
        assertArrayEquals(pattern(1000), fileSector(100));
        assertArrayEquals(pattern(1001), fileSector(101));
    }

    @Test
    void multipleModeTransfersBlocks() throws IOException {
        bench.lba28(PRIMARY, 0, 0, 0);
        bench.out8(PRIMARY + 2, 3);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.command(PRIMARY, AtaDisk.CMD_SET_MULTIPLE_MODE),
                "3 is not a power of two");
        bench.lba28(PRIMARY, 0, 4, 10);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.command(PRIMARY, AtaDisk.CMD_READ_MULTIPLE),
                "READ MULTIPLE before SET MULTIPLE MODE aborts");
        assertEquals(IdeDevice.ERROR_ABRT, bench.in8(PRIMARY + 1));

        bench.out8(PRIMARY + 2, 4);
        assertStatus(STATUS_READY, bench.command(PRIMARY, AtaDisk.CMD_SET_MULTIPLE_MODE), "4 sectors per block");
        bench.irqRises[14] = 0;
        bench.lba28(PRIMARY, 0, 4, 10);
        bench.command(PRIMARY, AtaDisk.CMD_READ_MULTIPLE);
        for (int block : new int[] {4, 4, 2}) {
            bench.waitNotBusy(PRIMARY);
            assertStatus(STATUS_DATA, bench.in8(PRIMARY + 7), "block");
            bench.readData(PRIMARY, block * 512);
        }
        assertEquals(3, bench.irqRises[14], "one interrupt per block");
        assertStatus(STATUS_READY, bench.in8(PRIMARY + 7), "done");

        byte[] data = new byte[6 * 512];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(pattern(500 + i), 0, data, i * 512, 512);
        }
        bench.lba28(PRIMARY, 0, 200, 6);
        bench.command(PRIMARY, AtaDisk.CMD_WRITE_MULTIPLE);
        bench.writeData(PRIMARY, data, 0, 4 * 512);
        assertStatus(STATUS_DATA, bench.waitNotBusy(PRIMARY), "second block");
        bench.writeData(PRIMARY, data, 4 * 512, 2 * 512);
        assertStatus(STATUS_READY, bench.waitNotBusy(PRIMARY), "done");
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(pattern(500 + i), fileSector(200 + i));
        }
    }

    @Test
    void chsAddressing() {
        // cylinder 1, head 2, sector 3 with the default 16 heads x 63 sectors: LBA (1*16+2)*63+2 = 1136
        bench.out8(PRIMARY + 6, 0xA0 | 2);
        bench.out8(PRIMARY + 2, 1);
        bench.out8(PRIMARY + 3, 3);
        bench.out8(PRIMARY + 4, 1);
        bench.out8(PRIMARY + 5, 0);
        bench.command(PRIMARY, AtaDisk.CMD_WRITE_SECTORS);
        bench.writeData(PRIMARY, pattern(77), 0, 512);
        bench.waitNotBusy(PRIMARY);
        bench.lba28(PRIMARY, 0, 1136, 1);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        assertArrayEquals(pattern(77), bench.readData(PRIMARY, 512));

        // INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors per track; C/H/S 0/1/1 is LBA 17
        bench.out8(PRIMARY + 6, 0xA0 | 3);
        bench.out8(PRIMARY + 2, 17);
        assertStatus(STATUS_READY, bench.command(PRIMARY, AtaDisk.CMD_INITIALIZE_DEVICE_PARAMETERS), "geometry");
        bench.out8(PRIMARY + 6, 0xA0 | 1);
        bench.out8(PRIMARY + 2, 1);
        bench.out8(PRIMARY + 3, 1);
        bench.out8(PRIMARY + 4, 0);
        bench.out8(PRIMARY + 5, 0);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        assertArrayEquals(pattern(17), bench.readData(PRIMARY, 512));

        bench.out8(PRIMARY + 3, 0); // sector numbers start at 1
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS), "IDNF");
        assertEquals(IdeDevice.ERROR_IDNF, bench.in8(PRIMARY + 1));
    }

    @Test
    void dmaReadAndWriteThroughPrdTable() throws IOException {
        int table = 0x10000;
        // 5 sectors into two regions, the first crossing a page boundary
        bench.prdTable(table, 0x20F00, 1024, 0x30000, 1536);
        bench.lba28(PRIMARY, 0, 20, 5);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_READ_DMA);
        bench.startDma(0, table, true);
        assertTrue((bench.busMasterStatus(0) & IdeChannel.BM_STATUS_ACTIVE) != 0);
        bench.advance(1_000_000);
        assertTrue(bench.irqLevel[14]);
        int bm = bench.busMasterStatus(0);
        assertEquals(IdeChannel.BM_STATUS_INTERRUPT, bm & 7, "interrupt, not active, no error");
        bench.stopDma(0);
        assertStatus(STATUS_READY, bench.in8(PRIMARY + 7), "status");
        byte[] got = new byte[512];
        for (int i = 0; i < 5; i++) {
            long address = i < 2 ? 0x20F00 + 512L * i : 0x30000 + 512L * (i - 2);
            bench.memory.readBytes(address, got, 0, 512);
            assertArrayEquals(pattern(20 + i), got, "sector " + (20 + i));
        }

        for (int i = 0; i < 3; i++) {
            bench.memory.writeBytes(0x40000 + 512L * i, pattern(900 + i), 0, 512);
        }
        bench.prdTable(table, 0x40000, 1536);
        bench.lba28(PRIMARY, 0, 300, 3);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_WRITE_DMA);
        bench.startDma(0, table, false);
        bench.advance(1_000_000);
        assertEquals(IdeChannel.BM_STATUS_INTERRUPT, bench.busMasterStatus(0) & 7);
        assertStatus(STATUS_READY, bench.in8(PRIMARY + 7), "written");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(pattern(900 + i), fileSector(300 + i));
        }
    }

    @Test
    void dmaExtWithEngineStartedBeforeTheCommand() {
        int table = 0x10000;
        bench.prdTable(table, 0x50000, 0); // a count of 0 means 64 KiB
        bench.startDma(0, table, true);
        bench.lba48(PRIMARY, 0, 1, 2);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_READ_DMA_EXT);
        bench.advance(1_000_000);
        assertEquals(IdeChannel.BM_STATUS_INTERRUPT | IdeChannel.BM_STATUS_ACTIVE, bench.busMasterStatus(0) & 7,
                "PRD longer than the data: still active, with the interrupt");
        byte[] got = new byte[512];
        bench.memory.readBytes(0x50200, got, 0, 512);
        assertArrayEquals(pattern(2), got);
    }

    @Test
    void prdTableShorterThanTheTransferAborts() {
        int table = 0x10000;
        bench.prdTable(table, 0x50000, 512);
        bench.lba28(PRIMARY, 0, 0, 4);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_READ_DMA);
        bench.startDma(0, table, true);
        bench.advance(1_000_000);
        assertEquals(IdeChannel.BM_STATUS_INTERRUPT, bench.busMasterStatus(0) & 7);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.in8(PRIMARY + 7), "aborted");
    }

    @Test
    void prdTableInUnmappedMemoryDoesNotBreakTheMachine() {
        int table = 0xF000_0000; // nothing there: the table reads as all ones
        bench.lba28(PRIMARY, 0, 0, 1);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_READ_DMA);
        bench.startDma(0, table, true);
        bench.advance(1_000_000);
        assertTrue(bench.irqLevel[14], "the command ended");
        bench.stopDma(0);
        bench.lba28(PRIMARY, 0, 3, 1);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        assertArrayEquals(pattern(3), bench.readData(PRIMARY, 512), "the disk still works");
    }

    @Test
    void noDmaWithoutBusMasterEnable() {
        bench.config(PciDevice.COMMAND, 2, PciDevice.COMMAND_IO_SPACE);
        bench.prdTable(0x10000, 0x50000, 512);
        bench.lba28(PRIMARY, 0, 0, 1);
        bench.out8(PRIMARY + 7, AtaDisk.CMD_READ_DMA);
        bench.startDma(0, 0x10000, true);
        bench.advance(1_000_000);
        assertFalse(bench.irqLevel[14]);
        assertEquals(0, bench.memory.read32(0x50000));
    }

    @Test
    void errorsForBadRequests() {
        bench.lba28(PRIMARY, 0, SECTORS - 1, 2);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS),
                "beyond the end");
        assertEquals(IdeDevice.ERROR_IDNF, bench.in8(PRIMARY + 1));
        for (int command : new int[] {0x00, IdeDevice.CMD_PACKET, IdeDevice.CMD_IDENTIFY_PACKET_DEVICE, 0x5C, 0xFF}) {
            assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.command(PRIMARY, command),
                    "command " + Integer.toHexString(command));
            assertEquals(IdeDevice.ERROR_ABRT, bench.in8(PRIMARY + 1));
        }
        bench.out8(PRIMARY + 1, 0x99);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, bench.command(PRIMARY, IdeDevice.CMD_SET_FEATURES),
                "unknown feature");
        bench.out8(PRIMARY + 1, AtaDisk.FEATURE_SET_TRANSFER_MODE);
        bench.out8(PRIMARY + 2, 0x22); // multiword DMA 2
        assertStatus(STATUS_READY, bench.command(PRIMARY, IdeDevice.CMD_SET_FEATURES), "MWDMA2");
        byte[] id = identify();
        assertEquals(0x0400, word(id, 63) & 0x0700, "MWDMA2 selected");
        // a data port read with no data phase is harmless
        assertEquals(0xFFFF, bench.in16(PRIMARY));
    }

    @Test
    void flushCacheAndVerify() throws IOException {
        bench.lba28(PRIMARY, 0, 40, 1);
        bench.command(PRIMARY, AtaDisk.CMD_WRITE_SECTORS);
        bench.writeData(PRIMARY, pattern(4040), 0, 512);
        bench.waitNotBusy(PRIMARY);
        assertStatus(STATUS_READY, bench.command(PRIMARY, AtaDisk.CMD_FLUSH_CACHE), "FLUSH CACHE");
        assertStatus(STATUS_READY, bench.command(PRIMARY, AtaDisk.CMD_FLUSH_CACHE_EXT), "FLUSH CACHE EXT");
        assertArrayEquals(pattern(4040), fileSector(40));
        bench.lba28(PRIMARY, 0, 0, 16);
        assertStatus(STATUS_READY, bench.command(PRIMARY, AtaDisk.CMD_READ_VERIFY_SECTORS), "verify");
        assertStatus(STATUS_READY, bench.command(PRIMARY, IdeDevice.CMD_IDLE_IMMEDIATE), "idle");
        bench.command(PRIMARY, IdeDevice.CMD_CHECK_POWER_MODE);
        assertEquals(0xFF, bench.in8(PRIMARY + 2), "active");
        bench.command(PRIMARY, AtaDisk.CMD_READ_NATIVE_MAX_ADDRESS);
        assertEquals(SECTORS - 1, bench.in8(PRIMARY + 3) | bench.in8(PRIMARY + 4) << 8 | bench.in8(PRIMARY + 5) << 16);
    }

    /** The test's disk image behind a flush that waits for the test's go and records where it ran. */
    private final class GatedImage implements BlockImage {
        final CountDownLatch go = new CountDownLatch(1);
        volatile Thread flushedOn;
        volatile boolean broken;

        @Override public long size() { return image.size(); }
        @Override public boolean readOnly() { return false; }
        @Override public String description() { return "gated " + image.description(); }
        @Override public void close() { }

        @Override
        public void read(long position, byte[] destination, int offset, int length) throws IOException {
            image.read(position, destination, offset, length);
        }

        @Override
        public void write(long position, byte[] source, int offset, int length) throws IOException {
            image.write(position, source, offset, length);
        }

        @Override
        public void flush() throws IOException {
            try {
                assertTrue(go.await(10, TimeUnit.SECONDS), "the test never let the flush end");
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            flushedOn = Thread.currentThread();
            if (broken) {
                throw new IOException("the host disk went away");
            }
            image.flush();
        }
    }

    /** A bench whose primary master flushes through a worker thread; completions queue in {@code vmThread}. */
    private IdeTestBench workerBench(GatedImage gated, HostIo io) {
        IdeTestBench workerBench = new IdeTestBench().enable();
        AtaDisk disk = new AtaDisk("disk", gated, "VS-0123456789", "VStation HARDDISK");
        disk.useHostIo(io);
        workerBench.ide.primary().attach(0, disk);
        return workerBench;
    }

    @Test
    void flushCacheWaitsForTheHostFsyncOffTheVmThread() throws Exception {
        GatedImage gated = new GatedImage();
        LinkedBlockingQueue<Runnable> vmThread = new LinkedBlockingQueue<>();
        try (WorkerHostIo io = new WorkerHostIo("test storage I/O", vmThread::add)) {
            IdeTestBench disk = workerBench(gated, io);
            disk.lba28(PRIMARY, 0, 40, 1);
            disk.command(PRIMARY, AtaDisk.CMD_WRITE_SECTORS);
            disk.writeData(PRIMARY, pattern(4040), 0, 512);
            disk.waitNotBusy(PRIMARY);
            disk.in8(PRIMARY + 7);

            disk.out8(PRIMARY + 7, AtaDisk.CMD_FLUSH_CACHE);
            disk.advance(50_000_000);
            assertStatus(IdeDevice.STATUS_BSY | IdeDevice.STATUS_DRDY, disk.in8(PRIMARY_CONTROL),
                    "busy while the host's fsync runs, however long");
            assertFalse(disk.irqLevel[14]);
            assertTrue(vmThread.isEmpty());

            gated.go.countDown();
            Runnable completion = vmThread.poll(10, TimeUnit.SECONDS);
            assertNotNull(completion, "the worker hands the completion back");
            assertNotSame(Thread.currentThread(), gated.flushedOn, "fsync ran on the worker");
            assertStatus(IdeDevice.STATUS_BSY | IdeDevice.STATUS_DRDY, disk.in8(PRIMARY_CONTROL),
                    "still busy until the VM thread takes the completion");
            completion.run();
            assertTrue(disk.irqLevel[14]);
            assertStatus(STATUS_READY, disk.in8(PRIMARY + 7), "FLUSH CACHE done");
            assertArrayEquals(pattern(4040), fileSector(40));
        }
    }

    @Test
    void aResetDuringAFlushIgnoresItsLateCompletion() throws Exception {
        GatedImage gated = new GatedImage();
        LinkedBlockingQueue<Runnable> vmThread = new LinkedBlockingQueue<>();
        try (WorkerHostIo io = new WorkerHostIo("test storage I/O", vmThread::add)) {
            IdeTestBench disk = workerBench(gated, io);
            disk.out8(PRIMARY + 7, AtaDisk.CMD_FLUSH_CACHE_EXT);
            disk.advance(100_000);
            disk.out8(PRIMARY_CONTROL, IdeChannel.CONTROL_SRST);
            disk.out8(PRIMARY_CONTROL, 0);
            assertStatus(STATUS_READY, disk.waitNotBusy(PRIMARY), "SRST ends the flush's BSY");
            assertEquals(1, disk.in8(PRIMARY + 2), "and shows the signature");

            disk.out8(PRIMARY + 7, IdeDevice.CMD_CHECK_POWER_MODE);
            gated.go.countDown();
            Runnable late = vmThread.poll(10, TimeUnit.SECONDS);
            assertNotNull(late);
            late.run();
            assertStatus(IdeDevice.STATUS_BSY | IdeDevice.STATUS_DRDY, disk.in8(PRIMARY_CONTROL),
                    "the old flush's completion does not end the next command");
            assertFalse(disk.irqLevel[14]);
            assertStatus(STATUS_READY, disk.waitNotBusy(PRIMARY), "CHECK POWER MODE");
            assertEquals(0xFF, disk.in8(PRIMARY + 2), "CHECK POWER MODE's own answer");
        }
    }

    @Test
    void aFailedFlushAbortsTheCommand() {
        GatedImage gated = new GatedImage();
        gated.broken = true;
        gated.go.countDown();
        IdeTestBench disk = workerBench(gated, HostIo.INLINE);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, disk.command(PRIMARY, AtaDisk.CMD_FLUSH_CACHE), "ERR");
        assertEquals(IdeDevice.ERROR_ABRT, disk.in8(PRIMARY + 1));
    }

    @Test
    void aSnapshotTakenDuringAFlushFlushesAgainWhenRestored() throws Exception {
        GatedImage gated = new GatedImage();
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        try (WorkerHostIo io = new WorkerHostIo("test storage I/O", runnable -> { })) {
            IdeTestBench disk = workerBench(gated, io);
            disk.out8(PRIMARY + 7, AtaDisk.CMD_FLUSH_CACHE);
            disk.advance(100_000);
            disk.ide.saveState(new DataOutputStream(saved));
            gated.go.countDown();
        }
        IdeTestBench restored = workerBench(gated, HostIo.INLINE);
        restored.ide.restoreState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        assertTrue(restored.irqLevel[14], "the flush done again completes the command");
        assertStatus(STATUS_READY, restored.in8(PRIMARY + 7), "FLUSH CACHE done");
    }

    @Test
    void interruptMaskedByNien() {
        bench.out8(PRIMARY_CONTROL, IdeChannel.CONTROL_NIEN);
        bench.lba28(PRIMARY, 0, 1, 1);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        assertFalse(bench.irqLevel[14]);
        bench.out8(PRIMARY_CONTROL, 0);
        assertTrue(bench.irqLevel[14], "the pending interrupt shows once nIEN clears");
    }

    @Test
    void snapshotRoundTripMidTransfer() throws IOException {
        bench.lba28(PRIMARY, 0, 5, 2);
        bench.command(PRIMARY, AtaDisk.CMD_READ_SECTORS);
        bench.readData(PRIMARY, 100);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        bench.ide.saveState(new DataOutputStream(saved));
        byte[] rest = bench.readData(PRIMARY, 412);

        IdeTestBench restored = new IdeTestBench();
        restored.ide.primary().attach(0, new AtaDisk("disk", image, "S", "M"));
        restored.ide.restoreState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        assertArrayEquals(rest, restored.readData(PRIMARY, 412));
        assertArrayEquals(Arrays.copyOfRange(pattern(5), 100, 512), rest);
        restored.waitNotBusy(PRIMARY);
        assertArrayEquals(pattern(6), restored.readData(PRIMARY, 512));
    }
}
