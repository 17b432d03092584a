package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.devices.ide.IdeTestBench.SECONDARY;
import static org.vstation.devices.ide.IdeTestBench.assertStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.storage.IsoImage;

/** The ATAPI drive as secondary master, driven through the PACKET protocol like sr_mod over ata_piix. */
class AtapiCdromTest {
    private static final int SECTORS = 600;
    private static final int STATUS_READY = IdeDevice.STATUS_DRDY | IdeDevice.STATUS_DSC;

    @TempDir
    Path dir;
    private IsoImage iso;
    private IsoImage otherIso;
    private AtapiCdrom drive;
    private IdeTestBench bench;

    @BeforeEach
    void setUp() throws Exception {
        iso = IsoImage.open(writeIso("a.iso", SECTORS, 1));
        otherIso = IsoImage.open(writeIso("b.iso", 400_000, 2));
        bench = new IdeTestBench().enable();
        drive = new AtapiCdrom("cd", "VSCD0001", "VStation DVD-ROM");
        bench.ide.secondary().attach(0, drive);
        bench.select(SECONDARY, 0);
    }

    @AfterEach
    void tearDown() throws IOException {
        iso.close();
        otherIso.close();
    }

    private Path writeIso(String name, int sectors, int seed) throws IOException {
        Path path = dir.resolve(name);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            byte[] start = new byte[64 * 2048];
            for (int lba = 0; lba < 64; lba++) {
                System.arraycopy(sector(lba, seed), 0, start, lba * 2048, 2048);
            }
            start[16 * 2048] = 1;
            System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, start, 16 * 2048 + 1, 5);
            file.write(ByteBuffer.wrap(start), 0);
            file.write(ByteBuffer.wrap(new byte[1]), (long) sectors * 2048 - 1);
        }
        return path;
    }

    static byte[] sector(int lba, int seed) {
        byte[] data = new byte[2048];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (lba * 31 + i * 7 + seed * 101 + (i >>> 8));
        }
        return data;
    }

    // ---- a small ATAPI host -------------------------------------------------------------------

    /** Result of one packet command: the data-in bytes and the final status/error. */
    record Reply(byte[] data, int status, int error) {
        boolean checkCondition() {
            return (status & IdeDevice.STATUS_ERR) != 0;
        }
    }

    private Reply packetWithLimit(int byteCountLimit, int... cdbBytes) {
        byte[] cdb = new byte[12];
        for (int i = 0; i < cdbBytes.length; i++) {
            cdb[i] = (byte) cdbBytes[i];
        }
        bench.out8(SECONDARY + IdeChannel.REG_FEATURES, 0);
        bench.out8(SECONDARY + IdeChannel.REG_LBA_MID, byteCountLimit & 0xFF);
        bench.out8(SECONDARY + IdeChannel.REG_LBA_HIGH, byteCountLimit >>> 8);
        bench.out8(SECONDARY + 7, IdeDevice.CMD_PACKET);
        int status = bench.waitNotBusy(SECONDARY);
        assertStatus(IdeDevice.STATUS_DRDY | IdeDevice.STATUS_DSC | IdeDevice.STATUS_DRQ, status, "ready for the packet");
        assertEquals(AtapiCdrom.REASON_COD, bench.in8(SECONDARY + 2), "interrupt reason: command out");
        bench.writeData(SECONDARY, cdb, 0, 12);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            bench.waitNotBusy(SECONDARY);
            assertTrue(bench.irqLevel[15], "an interrupt for each DRQ block and for the status");
            status = bench.in8(SECONDARY + 7);
            int reason = bench.in8(SECONDARY + 2);
            if ((status & IdeDevice.STATUS_DRQ) == 0) {
                assertEquals(AtapiCdrom.REASON_IO | AtapiCdrom.REASON_COD, reason, "status phase");
                return new Reply(data.toByteArray(), status, bench.in8(SECONDARY + 1));
            }
            assertEquals(AtapiCdrom.REASON_IO, reason, "data in");
            int count = bench.in8(SECONDARY + 4) | bench.in8(SECONDARY + 5) << 8;
            assertTrue(count <= (byteCountLimit & ~1), "DRQ block of " + count + " within the limit " + byteCountLimit);
            data.writeBytes(bench.readData(SECONDARY, count));
        }
    }

    private Reply packet(int... cdb) {
        return packetWithLimit(0xFFFE, cdb);
    }

    private int[] requestSense() {
        Reply sense = packet(0x03, 0, 0, 0, 18, 0);
        assertFalse(sense.checkCondition());
        return new int[] {sense.data()[2] & 0x0F, sense.data()[12] & 0xFF, sense.data()[13] & 0xFF};
    }

    private void insert(IsoImage image) throws AtapiCdrom.MediumLockedException {
        drive.insertMedium(image);
        // the first command after a change reports it
        Reply tur = packet(0x00);
        assertTrue(tur.checkCondition());
        assertEquals(AtapiCdrom.SENSE_UNIT_ATTENTION << 4, tur.error() & 0xF0);
    }

    private static int be16(byte[] data, int at) {
        return (data[at] & 0xFF) << 8 | data[at + 1] & 0xFF;
    }

    private static int be32(byte[] data, int at) {
        return (data[at] & 0xFF) << 24 | (data[at + 1] & 0xFF) << 16 | (data[at + 2] & 0xFF) << 8 | data[at + 3] & 0xFF;
    }

    // ---- tests ------------------------------------------------------------------------------------

    @Test
    void identifyPacketDeviceAndAbortedIdentifyDevice() {
        bench.out8(SECONDARY + 7, IdeDevice.CMD_IDENTIFY_DEVICE);
        int status = bench.waitNotBusy(SECONDARY);
        assertStatus(STATUS_READY | IdeDevice.STATUS_ERR, status, "IDENTIFY DEVICE aborts");
        assertEquals(0x14, bench.in8(SECONDARY + 4));
        assertEquals(0xEB, bench.in8(SECONDARY + 5));

        bench.command(SECONDARY, IdeDevice.CMD_IDENTIFY_PACKET_DEVICE);
        byte[] id = bench.readData(SECONDARY, 512);
        assertEquals(0x85C0, (id[0] & 0xFF) | (id[1] & 0xFF) << 8);
        StringBuilder model = new StringBuilder();
        for (int w = 27; w < 47; w++) {
            model.append((char) (id[2 * w + 1] & 0xFF)).append((char) (id[2 * w] & 0xFF));
        }
        assertEquals("VStation DVD-ROM", model.toString().trim());
        assertStatus(STATUS_READY, bench.in8(SECONDARY + 7), "done");
    }

    @Test
    void emptyDriveIsNotReady() {
        Reply tur = packet(0x00);
        assertTrue(tur.checkCondition());
        assertEquals(AtapiCdrom.SENSE_NOT_READY << 4, tur.error() & 0xF0);
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_NOT_READY, AtapiCdrom.ASC_MEDIUM_NOT_PRESENT, 1}, requestSense());
        assertTrue(packet(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0).checkCondition(), "READ CAPACITY");
        assertTrue(packet(0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0).checkCondition(), "READ(10)");
    }

    @Test
    void inquiry() {
        Reply reply = packet(0x12, 0, 0, 0, 36, 0);
        assertFalse(reply.checkCondition());
        assertEquals(36, reply.data().length);
        assertEquals(0x05, reply.data()[0], "CD/DVD device");
        assertEquals((byte) 0x80, reply.data()[1], "removable");
        assertEquals("VSTATION", new String(reply.data(), 8, 8, StandardCharsets.US_ASCII));
        assertEquals(5, packet(0x12, 0, 0, 0, 5, 0).data().length, "cut to the allocation length");
    }

    @Test
    void readCapacityAndReadTenByPio() throws Exception {
        insert(iso);
        Reply capacity = packet(0x25);
        assertEquals(SECTORS - 1, be32(capacity.data(), 0));
        assertEquals(2048, be32(capacity.data(), 4));

        Reply read = packet(0x28, 0, 0, 0, 0, 16, 0, 0, 3, 0);
        assertFalse(read.checkCondition());
        byte[] expected = new byte[3 * 2048];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(sector(16 + i, 1), 0, expected, i * 2048, 2048);
        }
        expected[0] = 1;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, expected, 1, 5);
        assertArrayEquals(expected, read.data());

        // a byte count limit smaller than a sector: the data comes in more, smaller DRQ blocks
        Reply small = packetWithLimit(0x3E8, 0x28, 0, 0, 0, 0, 40, 0, 0, 2, 0);
        byte[] two = new byte[4096];
        System.arraycopy(sector(40, 1), 0, two, 0, 2048);
        System.arraycopy(sector(41, 1), 0, two, 2048, 2048);
        assertArrayEquals(two, small.data());

        Reply twelve = packet(0xA8, 0, 0, 0, 0, 50, 0, 0, 0, 1, 0, 0);
        assertArrayEquals(sector(50, 1), twelve.data());
    }

    @Test
    void largeReadSpanningSeveralBuffers() throws Exception {
        insert(iso);
        Reply read = packet(0x28, 0, 0, 0, 0, 20, 0, 0, 40, 0);
        assertEquals(40 * 2048, read.data().length);
        assertArrayEquals(sector(59, 1), Arrays.copyOfRange(read.data(), 39 * 2048, 40 * 2048));
    }

    @Test
    void readTenByDma() throws Exception {
        insert(iso);
        int table = 0x8000;
        bench.prdTable(table, 0x100000, 4096, 0x200000, 2048);
        bench.out8(SECONDARY + IdeChannel.REG_FEATURES, AtapiCdrom.FEATURE_DMA);
        bench.out8(SECONDARY + 7, IdeDevice.CMD_PACKET);
        bench.waitNotBusy(SECONDARY);
        byte[] cdb = {0x28, 0, 0, 0, 0, 30, 0, 0, 3, 0, 0, 0};
        bench.writeData(SECONDARY, cdb, 0, 12);
        bench.startDma(1, table, true);
        bench.advance(1_000_000);
        assertTrue(bench.irqLevel[15]);
        assertEquals(IdeChannel.BM_STATUS_INTERRUPT, bench.busMasterStatus(1) & 7);
        bench.stopDma(1);
        assertStatus(STATUS_READY, bench.in8(SECONDARY + 7), "status");
        assertEquals(3, bench.in8(SECONDARY + 2), "status phase");
        byte[] got = new byte[2048];
        bench.memory.readBytes(0x100800, got, 0, 2048);
        assertArrayEquals(sector(31, 1), got);
        bench.memory.readBytes(0x200000, got, 0, 2048);
        assertArrayEquals(sector(32, 1), got);
    }

    @Test
    void errorsForBadPackets() throws Exception {
        insert(iso);
        Reply beyond = packet(0x28, 0, 0, 0, 0x02, 0x58, 0, 0, 1, 0);
        assertTrue(beyond.checkCondition());
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_ILLEGAL_REQUEST, AtapiCdrom.ASC_LBA_OUT_OF_RANGE, 0},
                requestSense());
        assertTrue(packet(0xFF).checkCondition());
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_ILLEGAL_REQUEST, AtapiCdrom.ASC_INVALID_COMMAND_OPERATION_CODE,
                0}, requestSense());
        assertArrayEquals(new int[] {0, 0, 0}, requestSense(), "sense is cleared once reported");
    }

    @Test
    void readTocFormats() throws Exception {
        insert(iso);
        byte[] toc = packet(0x43, 0, 0, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(18, be16(toc, 0), "two descriptors");
        assertEquals(1, toc[2]);
        assertEquals(1, toc[3]);
        assertEquals(0x14, toc[5], "data track");
        assertEquals(1, toc[6]);
        assertEquals(0, be32(toc, 8));
        assertEquals(0xAA, toc[14] & 0xFF, "lead-out");
        assertEquals(SECTORS, be32(toc, 16));

        byte[] msf = packet(0x43, 0x02, 0, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(0x00_00_02_00, be32(msf, 8), "track 1 at 00:02:00");
        int frames = SECTORS + 150;
        assertEquals((frames / 4500) << 16 | (frames / 75 % 60) << 8 | frames % 75, be32(msf, 16));

        byte[] session = packet(0x43, 0, 1, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(10, be16(session, 0));
        assertEquals(1, session[6], "first track in the last session");

        byte[] full = packet(0x43, 0x02, 2, 0, 0, 0, 1, 0, 100, 0).data();
        assertEquals(2 + 4 * 11, be16(full, 0));
        int[] points = {full[4 + 3] & 0xFF, full[15 + 3] & 0xFF, full[26 + 3] & 0xFF, full[37 + 3] & 0xFF};
        assertArrayEquals(new int[] {0xA0, 0xA1, 0xA2, 0x01}, points);
        assertEquals(frames / 4500, full[26 + 8]);

        assertTrue(packet(0x43, 0, 0, 0, 0, 0, 5, 0, 100, 0).checkCondition(), "no track 5");
    }

    @Test
    void modeSenseCapabilitiesPage() throws Exception {
        byte[] page = packet(0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(page.length - 2, be16(page, 0));
        assertEquals(0x2A, page[8] & 0x3F);
        assertEquals(0x29, page[8 + 6] & 0x29, "tray loading, eject and lock supported");
        assertEquals(0, page[8 + 6] & 0x02, "not locked");
        packet(0x1E, 0, 0, 0, 1, 0);
        page = packet(0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(0x02, page[8 + 6] & 0x02, "lock state shows PREVENT");
        assertTrue(packet(0x5A, 0, 0x15, 0, 0, 0, 0, 0, 100, 0).checkCondition(), "an unknown page");
    }

    @Test
    void getConfigurationProfiles() throws Exception {
        byte[] empty = packet(0x46, 0, 0, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(0, be16(empty, 6), "no current profile without a medium");
        insert(iso);
        byte[] cd = packet(0x46, 0, 0, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(AtapiCdrom.PROFILE_CD_ROM, be16(cd, 6));
        assertEquals(cd.length - 4, be32(cd, 0));
        assertEquals(0x0000, be16(cd, 8), "profile list first");
        drive.insertMedium(otherIso);
        byte[] dvd = packet(0x46, 0x02, 0, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(AtapiCdrom.PROFILE_DVD_ROM, be16(dvd, 6));
        assertEquals(8 + 4 + 8, dvd.length, "only the profile list feature, with two profiles");
    }

    @Test
    void mediaEventsAndUnitAttentionOnHostChange() throws Exception {
        byte[] none = packet(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).data();
        assertEquals(AtapiCdrom.MEDIA_EVENT_NONE, none[4] & 0x0F);
        assertEquals(0, none[5] & 0x02, "no medium");

        drive.insertMedium(iso);
        byte[] event = packet(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).data();
        assertEquals(4, event[2] & 0x07, "media class");
        assertEquals(AtapiCdrom.MEDIA_EVENT_NEW_MEDIA, event[4] & 0x0F);
        assertEquals(0x02, event[5] & 0x02, "medium present");
        assertEquals(AtapiCdrom.MEDIA_EVENT_NONE, packet(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).data()[4] & 0x0F,
                "an event is reported once");

        assertArrayEquals(new int[] {AtapiCdrom.SENSE_UNIT_ATTENTION, AtapiCdrom.ASC_MEDIUM_MAY_HAVE_CHANGED, 0},
                requestSense(), "REQUEST SENSE reports the pending unit attention");
        assertFalse(packet(0x00).checkCondition(), "then the drive is ready");

        drive.insertMedium(otherIso);
        Reply tur = packet(0x00);
        assertTrue(tur.checkCondition(), "medium changed");
        assertFalse(packet(0x00).checkCondition());
        assertEquals(400_000 - 1, be32(packet(0x25).data(), 0), "the new medium's capacity");

        assertEquals(AtapiCdrom.EjectResult.EJECTED, drive.ejectMedium());
        byte[] removal = packet(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).data();
        assertEquals(AtapiCdrom.MEDIA_EVENT_MEDIA_REMOVAL, removal[4] & 0x0F);
        assertTrue(packet(0x00).checkCondition(), "not ready once ejected");
        assertEquals(AtapiCdrom.EjectResult.NO_MEDIUM, drive.ejectMedium());
        assertTrue(packet(0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8, 0).checkCondition(), "asynchronous GESN is refused");
    }

    @Test
    void preventAllowBlocksHostEjectAndGuestEject() throws Exception {
        insert(iso);
        assertFalse(packet(0x1E, 0, 0, 0, 1, 0).checkCondition());
        assertTrue(drive.isRemovalPrevented());
        assertEquals(AtapiCdrom.EjectResult.LOCKED_BY_GUEST, drive.ejectMedium());
        assertSame(iso, drive.medium(), "the medium stays in");
        assertThrows(AtapiCdrom.MediumLockedException.class, () -> drive.insertMedium(otherIso));
        assertEquals(AtapiCdrom.MEDIA_EVENT_NEW_MEDIA, mediaEvent(), "events come in order: the insert first");
        assertEquals(AtapiCdrom.MEDIA_EVENT_EJECT_REQUEST, mediaEvent(), "then the guest hears the button");

        Reply eject = packet(0x1B, 0, 0, 0, 0x02, 0);
        assertTrue(eject.checkCondition(), "START STOP UNIT eject while locked");
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_ILLEGAL_REQUEST, AtapiCdrom.ASC_MEDIUM_REMOVAL_PREVENTED, 2},
                requestSense());

        packet(0x1E, 0, 0, 0, 0, 0);
        assertFalse(packet(0x1B, 0, 0, 0, 0x02, 0).checkCondition(), "eject once allowed");
        assertTrue(drive.isTrayOpen());
        assertTrue(packet(0x00).checkCondition());
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_NOT_READY, AtapiCdrom.ASC_MEDIUM_NOT_PRESENT,
                AtapiCdrom.ASCQ_TRAY_OPEN}, requestSense());
        byte[] mechanism = packet(0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0).data();
        assertEquals(0x10, mechanism[1] & 0x10, "door open");

        assertFalse(packet(0x1B, 0, 0, 0, 0x03, 0).checkCondition(), "load");
        assertTrue(packet(0x00).checkCondition(), "unit attention after the load");
        assertFalse(packet(0x00).checkCondition());
        assertArrayEquals(sector(20, 1), packet(0x28, 0, 0, 0, 0, 20, 0, 0, 1, 0).data());
        assertEquals(AtapiCdrom.EjectResult.EJECTED, drive.ejectMedium());
        assertNull(drive.medium());
    }

    private int mediaEvent() {
        byte[] reply = packet(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).data();
        assertEquals(4, reply[2] & 0x07, "media class");
        return reply[4] & 0x0F;
    }

    @Test
    void forcedChangeOfALockedMedium() throws Exception {
        insert(iso);
        assertFalse(packet(0x1E, 0, 0, 0, 1, 0).checkCondition(), "PREVENT MEDIUM REMOVAL");
        assertEquals(AtapiCdrom.MEDIA_EVENT_NEW_MEDIA, mediaEvent(), "the first insert's event");

        assertSame(iso, drive.forceMedium(otherIso), "the old medium comes out for the host to close");
        assertSame(otherIso, drive.medium());
        assertTrue(drive.isRemovalPrevented(), "the prevent state belongs to the drive, not the medium");

        // GET EVENT STATUS NOTIFICATION does not report the unit attention: the events come in order
        assertEquals(AtapiCdrom.MEDIA_EVENT_MEDIA_REMOVAL, mediaEvent());
        assertEquals(AtapiCdrom.MEDIA_EVENT_NEW_MEDIA, mediaEvent());
        assertEquals(AtapiCdrom.MEDIA_EVENT_NONE, mediaEvent());

        Reply read = packet(0x28, 0, 0, 0, 0, 20, 0, 0, 1, 0);
        assertTrue(read.checkCondition(), "the first media access after the change");
        assertEquals(AtapiCdrom.SENSE_UNIT_ATTENTION << 4, read.error() & 0xF0);
        assertEquals(0, read.data().length, "no data from either medium");
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_UNIT_ATTENTION, AtapiCdrom.ASC_MEDIUM_MAY_HAVE_CHANGED, 0},
                requestSense(), "UNIT ATTENTION, not ready to ready change, medium may have changed");
        assertFalse(packet(0x00).checkCondition(), "reported once");
        assertEquals(400_000 - 1, be32(packet(0x25).data(), 0), "the new medium's capacity");
        assertArrayEquals(sector(20, 2), packet(0x28, 0, 0, 0, 0, 20, 0, 0, 1, 0).data(), "the new medium's data");

        byte[] page = packet(0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 100, 0).data();
        assertEquals(0x02, page[8 + 6] & 0x02, "the capabilities page still shows the lock");
        assertThrows(AtapiCdrom.MediumLockedException.class, () -> drive.insertMedium(iso),
                "an ordinary change is refused again");
        assertTrue(packet(0x1B, 0, 0, 0, 0x02, 0).checkCondition(), "the guest's own eject is still prevented");
        requestSense();
        packet(0x1E, 0, 0, 0, 0, 0);
        assertSame(otherIso, drive.insertMedium(iso), "allowed again");
    }

    @Test
    void forcedEjectOfALockedMedium() throws Exception {
        insert(iso);
        packet(0x1E, 0, 0, 0, 1, 0);
        assertEquals(AtapiCdrom.MEDIA_EVENT_NEW_MEDIA, mediaEvent());
        assertEquals(AtapiCdrom.EjectResult.LOCKED_BY_GUEST, drive.ejectMedium());
        assertEquals(AtapiCdrom.EjectResult.EJECTED, drive.forceEject());
        assertNull(drive.medium());
        assertTrue(drive.isRemovalPrevented());
        assertEquals(AtapiCdrom.MEDIA_EVENT_EJECT_REQUEST, mediaEvent(), "the button press first");
        byte[] removal = packet(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0).data();
        assertEquals(AtapiCdrom.MEDIA_EVENT_MEDIA_REMOVAL, removal[4] & 0x0F, "then the removal");
        assertEquals(0, removal[5] & 0x02, "no medium present");
        Reply read = packet(0x28, 0, 0, 0, 0, 20, 0, 0, 1, 0);
        assertTrue(read.checkCondition());
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_NOT_READY, AtapiCdrom.ASC_MEDIUM_NOT_PRESENT,
                AtapiCdrom.ASCQ_TRAY_CLOSED}, requestSense());
        assertEquals(AtapiCdrom.EjectResult.NO_MEDIUM, drive.forceEject());
    }

    /** The host changes or takes the medium between two buffers of one READ: the READ ends in CHECK CONDITION. */
    @Test
    void mediumChangedAndEjectedDuringARead() throws Exception {
        insert(iso);
        packet(0x1E, 0, 0, 0, 1, 0);
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_UNIT_ATTENTION, AtapiCdrom.ASC_MEDIUM_MAY_HAVE_CHANGED, 0},
                readInterruptedBy(1, () -> drive.forceMedium(otherIso)));
        assertFalse(packet(0x00).checkCondition(), "the unit attention was reported by the READ");
        assertArrayEquals(new int[] {AtapiCdrom.SENSE_NOT_READY, AtapiCdrom.ASC_MEDIUM_NOT_PRESENT,
                AtapiCdrom.ASCQ_TRAY_CLOSED}, readInterruptedBy(2, drive::forceEject));
    }

    /**
     * Reads 40 sectors by PIO from the medium written with {@code seed}, runs {@code change} after the
     * first DRQ block; returns the sense the READ ended with.
     */
    private int[] readInterruptedBy(int seed, Runnable change) {
        bench.out8(SECONDARY + IdeChannel.REG_FEATURES, 0);
        bench.out8(SECONDARY + IdeChannel.REG_LBA_MID, 0x00);
        bench.out8(SECONDARY + IdeChannel.REG_LBA_HIGH, 0x80);
        bench.out8(SECONDARY + 7, IdeDevice.CMD_PACKET);
        bench.waitNotBusy(SECONDARY);
        byte[] cdb = {0x28, 0, 0, 0, 0, 20, 0, 0, 40, 0, 0, 0};
        bench.writeData(SECONDARY, cdb, 0, 12);
        int blocks = 0;
        while (true) {
            bench.waitNotBusy(SECONDARY);
            int status = bench.in8(SECONDARY + 7);
            if ((status & IdeDevice.STATUS_DRQ) == 0) {
                assertTrue((status & IdeDevice.STATUS_ERR) != 0, "CHECK CONDITION");
                assertEquals(2, blocks, "the buffer read before the change still arrives");
                return requestSense();
            }
            int count = bench.in8(SECONDARY + 4) | bench.in8(SECONDARY + 5) << 8;
            byte[] block = bench.readData(SECONDARY, count);
            assertArrayEquals(sector(20 + 16 * blocks, seed), Arrays.copyOf(block, 2048), "the old medium's data");
            if (blocks++ == 0) {
                change.run();
            }
        }
    }

    @Test
    void discInformationMechanismStatusAndSpeed() throws Exception {
        insert(iso);
        byte[] disc = packet(0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0).data();
        assertEquals(32, be16(disc, 0));
        assertEquals(0x0E, disc[2], "complete, finalized");
        assertEquals(1, disc[4], "one session");
        assertFalse(packet(0xBB, 0, 0xFF, 0xFF, 0xFF, 0xFF).checkCondition(), "SET CD SPEED");
        assertEquals(8, packet(0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0).data().length);
    }

    @Test
    void readsAgreeWithTheFile() throws Exception {
        insert(iso);
        byte[] expected = Files.readAllBytes(iso.path());
        Reply all = packet(0x28, 0, 0, 0, 0, 0, 0, 0, 64, 0);
        assertArrayEquals(Arrays.copyOf(expected, 64 * 2048), all.data());
    }
}
