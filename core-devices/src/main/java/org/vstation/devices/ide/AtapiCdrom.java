package org.vstation.devices.ide;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vstation.devices.storage.BlockImage;

/*
 * An ATAPI CD/DVD-ROM drive with a tray (PACKET command feature set).
 * Follows ATA/ATAPI-6 8.21 (PACKET), 9.8-9.10 (packet protocols), SFF-8020i and MMC-3 (T10/1363-D) for the commands.
 */

/**
 * A read-only optical drive that holds an ISO image or nothing. SCSI/MMC
 * commands arrive as 12-byte packets through the PACKET command; data goes
 * to the host in DRQ blocks no larger than the host's byte count limit, or
 * by DMA. The host (the user) can insert, change and eject the medium while
 * the guest runs; the guest learns of it the way MMC drives tell it: a UNIT
 * ATTENTION on the next command and a media event for GET EVENT STATUS
 * NOTIFICATION. A medium locked by PREVENT ALLOW MEDIUM REMOVAL stays in.
 */
public final class AtapiCdrom extends IdeDevice {
    private static final Logger log = LoggerFactory.getLogger(AtapiCdrom.class);

    public static final int SECTOR_SIZE = 2048;
    public static final int PACKET_SIZE = 12;

    // Packet commands (MMC-3 table 9 and SPC-2).
    public static final int TEST_UNIT_READY = 0x00;
    public static final int REQUEST_SENSE = 0x03;
    public static final int INQUIRY = 0x12;
    public static final int START_STOP_UNIT = 0x1B;
    public static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
    public static final int READ_CAPACITY = 0x25;
    public static final int READ_10 = 0x28;
    public static final int SEEK_10 = 0x2B;
    public static final int READ_TOC_PMA_ATIP = 0x43;
    public static final int GET_CONFIGURATION = 0x46;
    public static final int GET_EVENT_STATUS_NOTIFICATION = 0x4A;
    public static final int READ_DISC_INFORMATION = 0x51;
    public static final int MODE_SENSE_10 = 0x5A;
    public static final int READ_12 = 0xA8;
    public static final int SET_CD_SPEED = 0xBB;
    public static final int MECHANISM_STATUS = 0xBD;

    // Sense keys (SPC-2 table 107) and additional sense codes.
    public static final int SENSE_NONE = 0x0;
    public static final int SENSE_NOT_READY = 0x2;
    public static final int SENSE_ILLEGAL_REQUEST = 0x5;
    public static final int SENSE_UNIT_ATTENTION = 0x6;
    public static final int ASC_INVALID_COMMAND_OPERATION_CODE = 0x20;
    public static final int ASC_LBA_OUT_OF_RANGE = 0x21;
    public static final int ASC_INVALID_FIELD_IN_CDB = 0x24;
    public static final int ASC_MEDIUM_MAY_HAVE_CHANGED = 0x28;
    public static final int ASC_SAVING_PARAMETERS_NOT_SUPPORTED = 0x39;
    public static final int ASC_MEDIUM_NOT_PRESENT = 0x3A;
    public static final int ASC_MEDIUM_REMOVAL_PREVENTED = 0x53;
    /** ASCQ for MEDIUM NOT PRESENT: 01h tray closed, 02h tray open. */
    public static final int ASCQ_TRAY_CLOSED = 0x01;
    public static final int ASCQ_TRAY_OPEN = 0x02;

    /** Interrupt reason (in the sector count register): CoD bit 0, IO bit 1 (ATA-6 9.8). */
    public static final int REASON_COD = 0x01;
    public static final int REASON_IO = 0x02;
    /** PACKET features: bit 0 asks for DMA. */
    public static final int FEATURE_DMA = 0x01;

    // Media event codes for GET EVENT STATUS NOTIFICATION, class 4 (MMC-3 table 113).
    public static final int MEDIA_EVENT_NONE = 0;
    public static final int MEDIA_EVENT_EJECT_REQUEST = 1;
    public static final int MEDIA_EVENT_NEW_MEDIA = 2;
    public static final int MEDIA_EVENT_MEDIA_REMOVAL = 3;
    private static final int NOTIFICATION_CLASS_MEDIA = 4;

    // Profiles (MMC-3 table 75): the current one depends on the size of the image.
    public static final int PROFILE_CD_ROM = 0x0008;
    public static final int PROFILE_DVD_ROM = 0x0010;
    /** Larger than the biggest CD (80 min, 360000 sectors of 2048 bytes): report a DVD. */
    private static final long CD_MAX_SECTORS = 360_000;
    /** Sectors before the first track's LBA 0 in MSF addresses (2 seconds of 75 frames). */
    private static final int MSF_OFFSET = 150;

    /** What the host got when it asked to take the medium out. */
    public enum EjectResult { EJECTED, NO_MEDIUM, LOCKED_BY_GUEST }

    private final String serialNumber;
    private final String model;
    private BlockImage medium;
    private boolean trayOpen;
    /** PREVENT ALLOW MEDIUM REMOVAL state: the guest has locked the medium in. */
    private boolean removalPrevented;
    /** UNIT ATTENTION to report on the next command that checks for it. */
    private boolean unitAttention;
    private int pendingMediaEvent = MEDIA_EVENT_NONE;
    /** The media event to report after the pending one. */
    private int nextMediaEvent = MEDIA_EVENT_NONE;

    private int senseKey;
    private int additionalSenseCode;
    private int additionalSenseQualifier;

    private final byte[] packet = new byte[PACKET_SIZE];
    /** True while the 12 packet bytes are being received. */
    private boolean receivingPacket;
    /** True between the last packet byte and the packet's execution. */
    private boolean packetReceived;
    /** Valid bytes in the buffer for the current data-in command. */
    private int dataLength;
    /** Host's byte count limit for each PIO DRQ block. */
    private int byteCountLimit;
    /** Sectors of a READ still to be fetched after those in the buffer. */
    private long nextLba;
    private long sectorsLeft;

    public AtapiCdrom(String name, String serialNumber, String model) {
        super(name);
        this.serialNumber = serialNumber;
        this.model = model;
    }

    // ---- the host side: media changes -------------------------------------------------------

    public BlockImage medium() {
        return medium;
    }

    public boolean isRemovalPrevented() {
        return removalPrevented;
    }

    public boolean isTrayOpen() {
        return trayOpen;
    }

    /**
     * Puts {@code image} in the drive (closing the tray), replacing what was
     * there unless the guest has locked the medium in; returns the medium that
     * came out (for the caller to close) or null. The guest sees a new medium.
     */
    public BlockImage insertMedium(BlockImage image) throws MediumLockedException {
        if (medium != null && removalPrevented) {
            throw new MediumLockedException(name);
        }
        return replaceMedium(image);
    }

    /**
     * Puts {@code image} in even though the guest has locked the medium in
     * (VMware's "disconnect anyway", a drive's emergency eject followed by a
     * load) and returns the medium that came out. The guest hears the removal
     * and the new medium, and its next command gets UNIT ATTENTION 28/00, as
     * after any change. The prevent state stays: it belongs to the logical
     * unit, not to the medium, and ends only with ALLOW or a reset (SPC-3,
     * PREVENT ALLOW MEDIUM REMOVAL); the guest still holds the drive open.
     */
    public BlockImage forceMedium(BlockImage image) {
        return replaceMedium(image);
    }

    private BlockImage replaceMedium(BlockImage image) {
        BlockImage previous = medium;
        if (previous != null && !trayOpen) {
            postMediaEvent(MEDIA_EVENT_MEDIA_REMOVAL);
        }
        medium = image;
        trayOpen = false;
        unitAttention = true;
        postMediaEvent(MEDIA_EVENT_NEW_MEDIA);
        return previous;
    }

    /**
     * The user pressed eject. A locked drive keeps the medium and tells the
     * guest someone asked (an eject-request event), as a real drive's button does.
     */
    public EjectResult ejectMedium() {
        if (medium != null && removalPrevented) {
            postMediaEvent(MEDIA_EVENT_EJECT_REQUEST);
            return EjectResult.LOCKED_BY_GUEST;
        }
        return forceEject();
    }

    /**
     * Takes the medium out even though the guest has locked it in; the guest
     * hears the removal and gets NOT READY / MEDIUM NOT PRESENT from then on.
     */
    public EjectResult forceEject() {
        if (medium == null) {
            return EjectResult.NO_MEDIUM;
        }
        if (!trayOpen) {
            postMediaEvent(MEDIA_EVENT_MEDIA_REMOVAL);
        }
        medium = null;
        return EjectResult.EJECTED;
    }

    /**
     * Queues a media event for GET EVENT STATUS NOTIFICATION. Events are
     * reported in order, one per command (MMC-3 6.1.5); behind the one not yet
     * reported only the latest is kept, so a change reads as removal, then new medium.
     */
    private void postMediaEvent(int event) {
        if (pendingMediaEvent == MEDIA_EVENT_NONE) {
            pendingMediaEvent = event;
        } else {
            nextMediaEvent = event;
        }
    }

    /** Thrown when the host tries to replace a medium the guest has locked in. */
    public static final class MediumLockedException extends Exception {
        public MediumLockedException(String drive) {
            super(drive + ": the guest has locked the medium in the drive; eject it in the guest first");
        }
    }

    private boolean mediumReady() {
        return medium != null && !trayOpen;
    }

    // ---- ATA side ---------------------------------------------------------------------------------

    @Override
    protected void setSignature() {
        sectorCount = REASON_COD; // ATA-6 9.12: 01h/01h/14h/EBh for a PACKET device
        lbaLow = 1;
        lbaMid = 0x14;
        lbaHigh = 0xEB;
        device = 0;
    }

    @Override
    protected int statusAfterReset() {
        return 0;
    }

    @Override
    protected void resetDeviceState() {
        receivingPacket = false;
        packetReceived = false;
        removalPrevented = false;
    }

    @Override
    protected boolean acceptsWhileBusy(int newCommand) {
        return newCommand == CMD_DEVICE_RESET;
    }

    @Override
    protected void executeCommand() {
        switch (command) {
            case CMD_PACKET -> {
                if (packetReceived) {
                    packetReceived = false;
                    dmaMode = (features & FEATURE_DMA) != 0;
                    executePacket();
                    return;
                }
                byteCountLimit = lbaHigh << 8 | lbaMid;
                receivingPacket = true;
                sectorCount = REASON_COD;
                transferFromHost(PACKET_SIZE, false); // the packet itself always comes by PIO
            }
            case CMD_IDENTIFY_PACKET_DEVICE -> {
                writeIdentify();
                sectorCount = REASON_IO;
                transferToHost(512);
            }
            case CMD_IDENTIFY_DEVICE -> {
                // ATA-6 8.15: a PACKET device aborts and leaves its signature for the driver to see
                setSignature();
                fail(ERROR_ABRT);
            }
            case CMD_DEVICE_RESET -> {
                setSignature();
                error = 0x01;
                status = 0;
                phase = Phase.IDLE;
            }
            case CMD_SET_FEATURES, CMD_IDLE, CMD_IDLE_IMMEDIATE, CMD_STANDBY, CMD_STANDBY_IMMEDIATE -> complete();
            case CMD_CHECK_POWER_MODE -> {
                complete();
                sectorCount = 0xFF;
            }
            default -> fail(ERROR_ABRT);
        }
    }

    @Override
    protected void blockTransferred() {
        if (command == CMD_IDENTIFY_PACKET_DEVICE) {
            completeWithoutInterrupt();
            return;
        }
        if (receivingPacket) {
            receivingPacket = false;
            packetReceived = true;
            System.arraycopy(buffer, 0, packet, 0, PACKET_SIZE);
            staysBusy(); // the drive works on the packet, then answers with DRQ or completion
            return;
        }
        if (bufferPos < dataLength) {
            nextDataBlock();
        } else if (sectorsLeft > 0) {
            if (fetchSectors()) {
                nextDataBlock();
            }
        } else {
            packetComplete();
        }
    }

    // ---- the packet protocol ----------------------------------------------------------------------

    /** Starts sending {@code length} bytes of the buffer (already cut to the allocation length). */
    private void sendData(int length) {
        dataLength = length;
        bufferPos = 0;
        if (length == 0) {
            packetComplete();
            return;
        }
        nextDataBlock();
    }

    /** One DRQ block (PIO: at most the byte count limit, even) or the rest of the buffer (DMA). */
    private void nextDataBlock() {
        int remaining = dataLength - bufferPos;
        if (dmaMode) {
            sectorCount = REASON_IO;
            continueToHost(dataLength);
            return;
        }
        int limit = byteCountLimit == 0 || byteCountLimit == 0xFFFF ? 0xFFFE : byteCountLimit & ~1;
        if (limit == 0) {
            limit = 2;
        }
        int block = Math.min(remaining, limit);
        lbaMid = block & 0xFF;
        lbaHigh = block >>> 8;
        sectorCount = REASON_IO;
        continueToHost(bufferPos + block);
    }

    private void packetComplete() {
        complete();
        sectorCount = REASON_IO | REASON_COD;
    }

    /** CHECK CONDITION: the sense data is kept for REQUEST SENSE; the error register carries the key (ATA-6 9.10). */
    private void checkCondition(int key, int asc, int ascq) {
        senseKey = key;
        additionalSenseCode = asc;
        additionalSenseQualifier = ascq;
        sectorsLeft = 0;
        fail(key << 4 | (key == SENSE_ILLEGAL_REQUEST ? ERROR_ABRT : 0));
        sectorCount = REASON_IO | REASON_COD;
    }

    private void notReady() {
        checkCondition(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, trayOpen ? ASCQ_TRAY_OPEN : ASCQ_TRAY_CLOSED);
    }

    private void invalidField() {
        checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB, 0);
    }

    private void executePacket() {
        int opcode = packet[0] & 0xFF;
        boolean reportsUnitAttention = opcode != INQUIRY && opcode != REQUEST_SENSE
                && opcode != GET_CONFIGURATION && opcode != GET_EVENT_STATUS_NOTIFICATION;
        if (reportsUnitAttention && unitAttention) {
            unitAttention = false;
            checkCondition(SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED, 0);
            return;
        }
        if (opcode != REQUEST_SENSE) {
            senseKey = SENSE_NONE;
            additionalSenseCode = 0;
            additionalSenseQualifier = 0;
        }
        switch (opcode) {
            case TEST_UNIT_READY, SEEK_10, SET_CD_SPEED -> {
                if (opcode != SET_CD_SPEED && !mediumReady()) {
                    notReady();
                } else {
                    packetComplete();
                }
            }
            case REQUEST_SENSE -> requestSense();
            case INQUIRY -> inquiry();
            case START_STOP_UNIT -> startStopUnit();
            case PREVENT_ALLOW_MEDIUM_REMOVAL -> {
                removalPrevented = (packet[4] & 0x01) != 0;
                packetComplete();
            }
            case READ_CAPACITY -> readCapacity();
            case READ_10 -> read(be32(2), be16(7));
            case READ_12 -> read(be32(2), Integer.toUnsignedLong(be32(6)));
            case READ_TOC_PMA_ATIP -> readToc();
            case GET_CONFIGURATION -> getConfiguration();
            case GET_EVENT_STATUS_NOTIFICATION -> getEventStatusNotification();
            case READ_DISC_INFORMATION -> readDiscInformation();
            case MODE_SENSE_10 -> modeSense();
            case MECHANISM_STATUS -> mechanismStatus();
            default -> checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_COMMAND_OPERATION_CODE, 0);
        }
    }

    private void requestSense() {
        int key = senseKey;
        int asc = additionalSenseCode;
        int ascq = additionalSenseQualifier;
        if (key == SENSE_NONE && unitAttention) {
            unitAttention = false;
            key = SENSE_UNIT_ATTENTION;
            asc = ASC_MEDIUM_MAY_HAVE_CHANGED;
            ascq = 0;
        } else if (key == SENSE_NONE && !mediumReady()) {
            key = SENSE_NOT_READY;
            asc = ASC_MEDIUM_NOT_PRESENT;
            ascq = trayOpen ? ASCQ_TRAY_OPEN : ASCQ_TRAY_CLOSED;
        }
        byte[] sense = new byte[18];
        sense[0] = 0x70; // current error, fixed format (SPC-2 7.20.2)
        sense[2] = (byte) key;
        sense[7] = 10;
        sense[12] = (byte) asc;
        sense[13] = (byte) ascq;
        senseKey = SENSE_NONE;
        additionalSenseCode = 0;
        additionalSenseQualifier = 0;
        reply(sense, packet[4] & 0xFF);
    }

    private void inquiry() {
        byte[] data = new byte[36];
        data[0] = 0x05; // CD/DVD device
        data[1] = (byte) 0x80; // removable
        data[2] = 0x00;
        data[3] = 0x21; // ATAPI, response data format 1
        data[4] = 31;
        putAscii(data, 8, 8, "VSTATION");
        putAscii(data, 16, 16, model);
        putAscii(data, 32, 4, "1.0");
        reply(data, be16(3));
    }

    private void startStopUnit() {
        boolean start = (packet[4] & 0x01) != 0;
        boolean loadEject = (packet[4] & 0x02) != 0;
        if (!loadEject) {
            packetComplete(); // spinning up or down: nothing to do for an image
            return;
        }
        if (start) {
            if (trayOpen) {
                trayOpen = false;
                if (medium != null) {
                    unitAttention = true;
                    postMediaEvent(MEDIA_EVENT_NEW_MEDIA);
                }
            }
            packetComplete();
        } else if (removalPrevented) {
            checkCondition(SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED, 0x02);
        } else {
            if (!trayOpen && medium != null) {
                postMediaEvent(MEDIA_EVENT_MEDIA_REMOVAL);
            }
            trayOpen = true;
            packetComplete();
        }
    }

    private void readCapacity() {
        if (!mediumReady()) {
            notReady();
            return;
        }
        byte[] data = new byte[8];
        putBe32(data, 0, (int) (mediumSectors() - 1));
        putBe32(data, 4, SECTOR_SIZE);
        reply(data, data.length);
    }

    private void read(int lba, long count) {
        if (!mediumReady()) {
            notReady();
            return;
        }
        long start = Integer.toUnsignedLong(lba);
        if (start + count > mediumSectors()) {
            checkCondition(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
            return;
        }
        if (count == 0) {
            packetComplete();
            return;
        }
        nextLba = start;
        sectorsLeft = count;
        if (fetchSectors()) {
            nextDataBlock();
        }
    }

    /** Reads the next sectors of a READ into the buffer; false if the image failed (the command has ended). */
    private boolean fetchSectors() {
        // The host changed or took the medium while a READ was under way: the
        // command ends with the condition the next command would report.
        if (!mediumReady()) {
            notReady();
            return false;
        }
        if (unitAttention) {
            unitAttention = false;
            checkCondition(SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED, 0);
            return false;
        }
        int sectors = (int) Math.min(sectorsLeft, BUFFER_SIZE / SECTOR_SIZE);
        try {
            medium.read(nextLba * SECTOR_SIZE, buffer, 0, sectors * SECTOR_SIZE);
        } catch (IOException e) {
            log.warn("{}: read of sector {} failed: {}", name, nextLba, e.toString());
            checkCondition(0x3, 0x11, 0); // MEDIUM ERROR, UNRECOVERED READ ERROR
            return false;
        }
        nextLba += sectors;
        sectorsLeft -= sectors;
        dataLength = sectors * SECTOR_SIZE;
        bufferPos = 0;
        return true;
    }

    /** READ TOC/PMA/ATIP formats 0 (TOC), 1 (session information) and 2 (full TOC), MMC-3 6.1.34. */
    private void readToc() {
        if (!mediumReady()) {
            notReady();
            return;
        }
        boolean msf = (packet[1] & 0x02) != 0;
        int format = packet[2] & 0x0F;
        if (format == 0 && (packet[9] & 0xC0) != 0) {
            format = (packet[9] & 0xC0) >>> 6; // the older SFF-8020i place for the format
        }
        int track = packet[6] & 0xFF;
        int leadOut = (int) mediumSectors();
        byte[] data = new byte[64];
        int length;
        switch (format) {
            case 0 -> {
                if (track > 1 && track != 0xAA) {
                    invalidField();
                    return;
                }
                length = 4;
                data[2] = 1;
                data[3] = 1;
                if (track <= 1) {
                    length = putTrackDescriptor(data, length, 1, 0, msf);
                }
                length = putTrackDescriptor(data, length, 0xAA, leadOut, msf);
            }
            case 1 -> {
                data[2] = 1;
                data[3] = 1;
                length = putTrackDescriptor(data, 4, 1, 0, msf);
            }
            case 2 -> {
                data[2] = 1;
                data[3] = 1;
                length = 4;
                length = putFullTocDescriptor(data, length, 0xA0, 1 << 16); // first track 1, disc type 00h
                length = putFullTocDescriptor(data, length, 0xA1, 1 << 16); // last track 1
                length = putFullTocDescriptor(data, length, 0xA2, toMsf(leadOut));
                length = putFullTocDescriptor(data, length, 0x01, toMsf(0));
            }
            default -> {
                invalidField();
                return;
            }
        }
        putBe16(data, 0, length - 2);
        reply(Arrays.copyOf(data, length), be16(7));
    }

    private static int putTrackDescriptor(byte[] data, int at, int track, int lba, boolean msf) {
        data[at + 1] = 0x14; // ADR 1 (position), control 4 (data track)
        data[at + 2] = (byte) track;
        putBe32(data, at + 4, msf ? toMsf(lba) : lba);
        return at + 8;
    }

    private static int putFullTocDescriptor(byte[] data, int at, int point, int pAddress) {
        data[at] = 1; // session
        data[at + 1] = 0x14;
        data[at + 3] = (byte) point;
        data[at + 8] = (byte) (pAddress >>> 16);
        data[at + 9] = (byte) (pAddress >>> 8);
        data[at + 10] = (byte) pAddress;
        return at + 11;
    }

    /** An LBA as 00h, minutes, seconds, frames. */
    private static int toMsf(int lba) {
        int frames = lba + MSF_OFFSET;
        return (frames / (75 * 60)) << 16 | ((frames / 75) % 60) << 8 | frames % 75;
    }

    /** GET CONFIGURATION (MMC-3 6.1.4): the profile list, core, removable medium and random readable features. */
    private void getConfiguration() {
        int requestType = packet[1] & 0x03;
        int startingFeature = be16(2);
        int profile = !mediumReady() ? 0 : mediumSectors() > CD_MAX_SECTORS ? PROFILE_DVD_ROM : PROFILE_CD_ROM;
        byte[] data = new byte[128];
        int at = 8;
        int[][] features = {
            {0x0000, 0x03, PROFILE_DVD_ROM << 16 | (profile == PROFILE_DVD_ROM ? 1 : 0) << 8,
                PROFILE_CD_ROM << 16 | (profile == PROFILE_CD_ROM ? 1 : 0) << 8},
            {0x0001, 0x07, 2 /* ATAPI physical interface */, 0},
            {0x0003, 0x03, 0x29 << 24 /* tray, eject, lock */ | (removalPrevented ? 0x04 << 24 : 0)},
            {0x0010, profile != 0 ? 0x01 : 0x00, SECTOR_SIZE, 0x0001 << 16},
        };
        for (int[] feature : features) {
            int code = feature[0];
            boolean current = (feature[1] & 0x01) != 0;
            boolean wanted = switch (requestType) {
                case 0 -> code >= startingFeature;
                case 1 -> code >= startingFeature && current;
                case 2 -> code == startingFeature;
                default -> false;
            };
            if (!wanted) {
                continue;
            }
            int payloadWords = feature.length - 2;
            putBe16(data, at, code);
            data[at + 2] = (byte) feature[1];
            data[at + 3] = (byte) (4 * payloadWords);
            for (int i = 0; i < payloadWords; i++) {
                putBe32(data, at + 4 + 4 * i, feature[2 + i]);
            }
            at += 4 + 4 * payloadWords;
        }
        putBe32(data, 0, at - 4);
        putBe16(data, 6, profile);
        reply(Arrays.copyOf(data, at), be16(7));
    }

    /** GET EVENT STATUS NOTIFICATION, polled only (MMC-3 6.1.5): the media class. */
    private void getEventStatusNotification() {
        if ((packet[1] & 0x01) == 0) {
            invalidField(); // asynchronous notification is not supported
            return;
        }
        int requested = packet[4] & 0xFF;
        byte[] data = new byte[8];
        int length;
        if ((requested & (1 << NOTIFICATION_CLASS_MEDIA)) != 0) {
            putBe16(data, 0, 6);
            data[2] = NOTIFICATION_CLASS_MEDIA;
            data[3] = 1 << NOTIFICATION_CLASS_MEDIA;
            data[4] = (byte) pendingMediaEvent;
            data[5] = (byte) ((trayOpen ? 0x01 : 0) | (medium != null ? 0x02 : 0));
            pendingMediaEvent = nextMediaEvent;
            nextMediaEvent = MEDIA_EVENT_NONE;
            length = 8;
        } else {
            putBe16(data, 0, 2);
            data[2] = (byte) 0x80; // no event available for the classes asked
            data[3] = 1 << NOTIFICATION_CLASS_MEDIA;
            length = 4;
        }
        reply(Arrays.copyOf(data, length), be16(7));
    }

    private void readDiscInformation() {
        if (!mediumReady()) {
            notReady();
            return;
        }
        if ((packet[1] & 0x07) != 0) {
            invalidField(); // only the standard disc information block
            return;
        }
        byte[] data = new byte[34];
        putBe16(data, 0, 32);
        data[2] = 0x0E; // last session complete, disc finalized
        data[3] = 1; // first track
        data[4] = 1; // sessions
        data[5] = 1; // first track in last session
        data[6] = 1; // last track in last session
        data[7] = 0x20; // unrestricted use
        putBe32(data, 16, 0xFFFFFFFF); // no last session lead-in
        putBe32(data, 20, 0xFFFFFFFF); // no last possible lead-out
        reply(data, be16(7));
    }

    /** MODE SENSE(10): the read error recovery page and the CD/DVD capabilities page 2Ah (MMC-3 7.4). */
    private void modeSense() {
        int pageControl = (packet[2] & 0xC0) >>> 6;
        int page = packet[2] & 0x3F;
        if (pageControl == 3) {
            checkCondition(SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMETERS_NOT_SUPPORTED, 0);
            return;
        }
        byte[] data = new byte[64];
        int at = 8;
        if (page == 0x01 || page == 0x3F) {
            data[at] = 0x01;
            data[at + 1] = 0x0A;
            at += 12;
        }
        if (page == 0x2A || page == 0x3F) {
            data[at] = 0x2A;
            data[at + 1] = 0x14;
            data[at + 2] = 0x0B; // reads CD-R, CD-RW, DVD-ROM
            data[at + 4] = 0x71; // multi-session, mode 2 form 1/2, audio play
            data[at + 5] = 0x00;
            data[at + 6] = (byte) (0x29 | (removalPrevented ? 0x02 : 0)); // tray, eject, lock (and its state)
            putBe16(data, at + 8, 176 * 24);
            putBe16(data, at + 10, 256);
            putBe16(data, at + 12, 512);
            putBe16(data, at + 14, 176 * 24);
            at += 22;
        }
        if (at == 8) {
            invalidField();
            return;
        }
        putBe16(data, 0, at - 2);
        data[2] = (byte) (!mediumReady() ? (trayOpen ? 0x71 : 0x70) : 0x00); // medium type: door open / no disc
        reply(Arrays.copyOf(data, at), be16(7));
    }

    private void mechanismStatus() {
        byte[] data = new byte[8];
        data[1] = (byte) (trayOpen ? 0x10 : 0);
        reply(data, be16(8));
    }

    /** Sends a reply cut to the command's allocation length. */
    private void reply(byte[] data, int allocationLength) {
        int length = Math.min(data.length, allocationLength);
        System.arraycopy(data, 0, buffer, 0, length);
        sectorsLeft = 0;
        sendData(length);
    }

    private long mediumSectors() {
        return medium.size() / SECTOR_SIZE;
    }

    // ---- IDENTIFY PACKET DEVICE (ATA-6 8.16, table 21) ---------------------------------------------

    private void writeIdentify() {
        int[] words = new int[256];
        words[0] = 0x85C0; // ATAPI, CD/DVD device, removable, DRQ within 50 us, 12-byte packets
        IdentifyData.putString(words, 10, 20, serialNumber);
        IdentifyData.putString(words, 23, 8, "1.0");
        IdentifyData.putString(words, 27, 40, model);
        words[49] = 0x0300; // LBA and DMA supported
        words[53] = 0x0006; // words 64-70 and 88 are valid
        words[63] = 0x0007;
        words[64] = 0x0003;
        words[65] = 120;
        words[66] = 120;
        words[67] = 120;
        words[68] = 120;
        words[80] = 0x007E;
        words[82] = 0x4000 | 0x0010 | 0x0004; // NOP, PACKET, removable media
        words[83] = 0x4000;
        words[84] = 0x4000;
        words[85] = 0x0010 | 0x0004;
        words[86] = 0;
        words[87] = 0x4000;
        words[88] = 0x003F;
        words[93] = isDevice1() ? 0x4000 | 0x0100 : 0x4000 | 0x0001;
        IdentifyData.toBytes(words, buffer);
    }

    // ---- byte helpers ---------------------------------------------------------------------------------

    private int be16(int at) {
        return (packet[at] & 0xFF) << 8 | packet[at + 1] & 0xFF;
    }

    private int be32(int at) {
        return (packet[at] & 0xFF) << 24 | (packet[at + 1] & 0xFF) << 16 | (packet[at + 2] & 0xFF) << 8
                | packet[at + 3] & 0xFF;
    }

    private static void putBe16(byte[] data, int at, int value) {
        data[at] = (byte) (value >>> 8);
        data[at + 1] = (byte) value;
    }

    private static void putBe32(byte[] data, int at, int value) {
        data[at] = (byte) (value >>> 24);
        data[at + 1] = (byte) (value >>> 16);
        data[at + 2] = (byte) (value >>> 8);
        data[at + 3] = (byte) value;
    }

    private static void putAscii(byte[] data, int at, int length, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            data[at + i] = i < bytes.length ? bytes[i] : (byte) ' ';
        }
    }

    // ---- snapshots ---------------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        out.writeBoolean(trayOpen);
        out.writeBoolean(removalPrevented);
        out.writeBoolean(unitAttention);
        out.writeByte(pendingMediaEvent);
        out.writeByte(nextMediaEvent);
        out.writeByte(senseKey);
        out.writeByte(additionalSenseCode);
        out.writeByte(additionalSenseQualifier);
        out.write(packet);
        out.writeBoolean(receivingPacket);
        out.writeBoolean(packetReceived);
        out.writeInt(dataLength);
        out.writeInt(byteCountLimit);
        out.writeLong(nextLba);
        out.writeLong(sectorsLeft);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        trayOpen = in.readBoolean();
        removalPrevented = in.readBoolean();
        unitAttention = in.readBoolean();
        pendingMediaEvent = in.readUnsignedByte();
        nextMediaEvent = in.readUnsignedByte();
        senseKey = in.readUnsignedByte();
        additionalSenseCode = in.readUnsignedByte();
        additionalSenseQualifier = in.readUnsignedByte();
        in.readFully(packet);
        receivingPacket = in.readBoolean();
        packetReceived = in.readBoolean();
        dataLength = in.readInt();
        byteCountLimit = in.readInt();
        nextLba = in.readLong();
        sectorsLeft = in.readLong();
    }
}
