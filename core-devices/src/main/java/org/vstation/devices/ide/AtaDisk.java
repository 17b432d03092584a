package org.vstation.devices.ide;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vstation.devices.storage.BlockImage;
import org.vstation.devices.storage.HostIo;

/*
 * An ATA hard disk (general feature set, 48-bit address feature set, write cache and FLUSH CACHE).
 * Follows ATA/ATAPI-6 (T13/1410D rev. 3b): 8.x command descriptions, 8.15 IDENTIFY DEVICE words.
 */

/**
 * A hard disk backed by a {@link BlockImage} of 512-byte sectors. It
 * understands LBA28, LBA48 and CHS addressing, PIO transfers of single
 * sectors or of blocks of the MULTIPLE size, and DMA. Writes go to the image
 * in order as they arrive; FLUSH CACHE makes them durable.
 */
public final class AtaDisk extends IdeDevice {
    private static final Logger log = LoggerFactory.getLogger(AtaDisk.class);

    public static final int SECTOR_SIZE = 512;

    public static final int CMD_RECALIBRATE = 0x10;
    public static final int CMD_READ_SECTORS = 0x20;
    public static final int CMD_READ_SECTORS_NO_RETRY = 0x21;
    public static final int CMD_READ_SECTORS_EXT = 0x24;
    public static final int CMD_READ_DMA_EXT = 0x25;
    public static final int CMD_READ_NATIVE_MAX_ADDRESS_EXT = 0x27;
    public static final int CMD_READ_MULTIPLE_EXT = 0x29;
    public static final int CMD_WRITE_SECTORS = 0x30;
    public static final int CMD_WRITE_SECTORS_NO_RETRY = 0x31;
    public static final int CMD_WRITE_SECTORS_EXT = 0x34;
    public static final int CMD_WRITE_DMA_EXT = 0x35;
    public static final int CMD_WRITE_MULTIPLE_EXT = 0x39;
    public static final int CMD_READ_VERIFY_SECTORS = 0x40;
    public static final int CMD_READ_VERIFY_SECTORS_NO_RETRY = 0x41;
    public static final int CMD_READ_VERIFY_SECTORS_EXT = 0x42;
    public static final int CMD_SEEK = 0x70;
    public static final int CMD_INITIALIZE_DEVICE_PARAMETERS = 0x91;
    public static final int CMD_READ_MULTIPLE = 0xC4;
    public static final int CMD_WRITE_MULTIPLE = 0xC5;
    public static final int CMD_SET_MULTIPLE_MODE = 0xC6;
    public static final int CMD_READ_DMA = 0xC8;
    public static final int CMD_READ_DMA_NO_RETRY = 0xC9;
    public static final int CMD_WRITE_DMA = 0xCA;
    public static final int CMD_WRITE_DMA_NO_RETRY = 0xCB;
    public static final int CMD_FLUSH_CACHE = 0xE7;
    public static final int CMD_FLUSH_CACHE_EXT = 0xEA;
    public static final int CMD_READ_NATIVE_MAX_ADDRESS = 0xF8;

    // SET FEATURES subcommands (ATA-6 8.37).
    public static final int FEATURE_ENABLE_WRITE_CACHE = 0x02;
    public static final int FEATURE_SET_TRANSFER_MODE = 0x03;
    public static final int FEATURE_DISABLE_READ_LOOKAHEAD = 0x55;
    public static final int FEATURE_DISABLE_REVERTING = 0x66;
    public static final int FEATURE_DISABLE_WRITE_CACHE = 0x82;
    public static final int FEATURE_ENABLE_READ_LOOKAHEAD = 0xAA;
    public static final int FEATURE_ENABLE_REVERTING = 0xCC;

    /** Largest READ/WRITE MULTIPLE block (IDENTIFY word 47). */
    public static final int MAX_MULTIPLE_SECTORS = 16;
    private static final long LBA28_LIMIT = 1L << 28;
    private static final int DEFAULT_HEADS = 16;
    private static final int DEFAULT_SECTORS_PER_TRACK = 63;
    private static final int MAX_CYLINDERS = 16383;

    private final BlockImage image;
    private final long totalSectors;
    private final String serialNumber;
    private final String model;
    private final int defaultCylinders;

    /** Sectors per DRQ block of READ/WRITE MULTIPLE; 0 until SET MULTIPLE MODE (ATA-6 8.39). */
    private int multipleSectors;
    /** The CHS translation set by INITIALIZE DEVICE PARAMETERS. */
    private int currentHeads;
    private int currentSectorsPerTrack;
    private boolean writeCacheEnabled;
    /** Selected DMA mode: bits 0-2 multiword DMA 0-2, bits 8-13 Ultra DMA 0-5 (IDENTIFY words 63 and 88). */
    private int multiwordDmaSelected;
    private int ultraDmaSelected;

    /** Where FLUSH CACHE waits for the host's fsync: the machine's I/O worker, or inline. */
    private HostIo hostIo = HostIo.INLINE;
    /** Numbers the FLUSH CACHE commands, so a completion that arrives after a reset is recognized. */
    private int flushNumber;
    /** A FLUSH CACHE is waiting for the host's fsync. */
    private boolean flushInFlight;

    // The transfer in progress.
    private long nextLba;
    private int sectorsLeft;
    private int sectorsInBlock;

    public AtaDisk(String name, BlockImage image, String serialNumber, String model) {
        super(name);
        this.image = image;
        this.totalSectors = image.size() / SECTOR_SIZE;
        this.serialNumber = serialNumber;
        this.model = model;
        this.defaultCylinders = (int) Math.min(MAX_CYLINDERS,
                totalSectors / (DEFAULT_HEADS * DEFAULT_SECTORS_PER_TRACK));
    }

    public BlockImage image() {
        return image;
    }

    /** Runs FLUSH CACHE's fsync through {@code io} (the machine's worker thread) instead of inline. */
    public void useHostIo(HostIo io) {
        this.hostIo = io;
    }

    public long totalSectors() {
        return totalSectors;
    }

    @Override
    protected void setSignature() {
        sectorCount = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        device = 0;
    }

    @Override
    protected int statusAfterReset() {
        return STATUS_DRDY | STATUS_DSC;
    }

    @Override
    protected void resetDeviceState() {
        flushInFlight = false;
        multipleSectors = 0;
        currentHeads = DEFAULT_HEADS;
        currentSectorsPerTrack = DEFAULT_SECTORS_PER_TRACK;
        writeCacheEnabled = true;
        multiwordDmaSelected = 0x04;
        ultraDmaSelected = 0;
    }

    // ---- commands ----------------------------------------------------------------------------

    @Override
    protected void executeCommand() {
        switch (command) {
            case CMD_IDENTIFY_DEVICE -> {
                writeIdentify();
                transferToHost(SECTOR_SIZE);
            }
            case CMD_READ_SECTORS, CMD_READ_SECTORS_NO_RETRY -> startRead(false, false, false);
            case CMD_READ_SECTORS_EXT -> startRead(true, false, false);
            case CMD_READ_MULTIPLE -> startRead(false, true, false);
            case CMD_READ_MULTIPLE_EXT -> startRead(true, true, false);
            case CMD_READ_DMA, CMD_READ_DMA_NO_RETRY -> startRead(false, false, true);
            case CMD_READ_DMA_EXT -> startRead(true, false, true);
            case CMD_WRITE_SECTORS, CMD_WRITE_SECTORS_NO_RETRY -> startWrite(false, false, false);
            case CMD_WRITE_SECTORS_EXT -> startWrite(true, false, false);
            case CMD_WRITE_MULTIPLE -> startWrite(false, true, false);
            case CMD_WRITE_MULTIPLE_EXT -> startWrite(true, true, false);
            case CMD_WRITE_DMA, CMD_WRITE_DMA_NO_RETRY -> startWrite(false, false, true);
            case CMD_WRITE_DMA_EXT -> startWrite(true, false, true);
            case CMD_READ_VERIFY_SECTORS, CMD_READ_VERIFY_SECTORS_NO_RETRY -> verify(false);
            case CMD_READ_VERIFY_SECTORS_EXT -> verify(true);
            case CMD_SET_MULTIPLE_MODE -> setMultipleMode();
            case CMD_INITIALIZE_DEVICE_PARAMETERS -> initializeDeviceParameters();
            case CMD_SET_FEATURES -> setFeatures();
            case CMD_FLUSH_CACHE, CMD_FLUSH_CACHE_EXT -> flushCache();
            case CMD_READ_NATIVE_MAX_ADDRESS -> {
                setLba28(Math.min(totalSectors, LBA28_LIMIT) - 1);
                complete();
            }
            case CMD_READ_NATIVE_MAX_ADDRESS_EXT -> {
                setLba48(totalSectors - 1);
                complete();
            }
            case CMD_SEEK -> {
                if (startAddress(false) < 0) {
                    fail(ERROR_IDNF | ERROR_ABRT);
                } else {
                    complete();
                }
            }
            case CMD_IDLE, CMD_IDLE_IMMEDIATE, CMD_STANDBY, CMD_STANDBY_IMMEDIATE, CMD_SLEEP -> complete();
            case CMD_CHECK_POWER_MODE -> {
                complete();
                sectorCount = 0xFF; // active or idle (ATA-6 8.6)
            }
            default -> {
                if ((command & 0xF0) == CMD_RECALIBRATE) {
                    complete();
                } else {
                    fail(ERROR_ABRT); // NOP, PACKET, IDENTIFY PACKET DEVICE and anything unknown
                }
            }
        }
    }

    /**
     * The first sector the command addresses, or -1 if it is not on the disk.
     * LBA48 uses the previous register contents as the high bytes (ATA-6 6.20);
     * CHS uses the translation of INITIALIZE DEVICE PARAMETERS.
     */
    private long startAddress(boolean lba48) {
        long lba;
        if (lba48) {
            lba = (long) previousLbaHigh << 40 | (long) previousLbaMid << 32 | (long) previousLbaLow << 24
                    | lbaHigh << 16 | lbaMid << 8 | lbaLow;
        } else if ((device & DEVICE_LBA) != 0) {
            lba = (long) (device & 0x0F) << 24 | lbaHigh << 16 | lbaMid << 8 | lbaLow;
        } else {
            int cylinder = lbaHigh << 8 | lbaMid;
            int head = device & 0x0F;
            int sector = lbaLow;
            if (sector == 0 || sector > currentSectorsPerTrack || head >= currentHeads) {
                return -1;
            }
            lba = ((long) cylinder * currentHeads + head) * currentSectorsPerTrack + sector - 1;
        }
        return lba < totalSectors ? lba : -1;
    }

    /** The sector count register: 0 means 256 sectors (65536 for LBA48). */
    private int requestedSectors(boolean lba48) {
        if (lba48) {
            int count = previousSectorCount << 8 | sectorCount;
            return count == 0 ? 0x10000 : count;
        }
        return sectorCount == 0 ? 0x100 : sectorCount;
    }

    /** Checks the address range and sets up the transfer; false if the command has failed. */
    private boolean beginTransfer(boolean lba48, boolean multiple, boolean dma) {
        if (multiple && multipleSectors == 0) {
            fail(ERROR_ABRT); // READ/WRITE MULTIPLE before SET MULTIPLE MODE (ATA-6 8.25)
            return false;
        }
        long start = startAddress(lba48);
        int count = requestedSectors(lba48);
        if (start < 0 || start + count > totalSectors) {
            fail(ERROR_IDNF);
            return false;
        }
        nextLba = start;
        sectorsLeft = count;
        dmaMode = dma;
        int perBlock = dma ? BUFFER_SIZE / SECTOR_SIZE : multiple ? multipleSectors : 1;
        sectorsInBlock = perBlock;
        return true;
    }

    private void startRead(boolean lba48, boolean multiple, boolean dma) {
        if (beginTransfer(lba48, multiple, dma)) {
            readNextBlock();
        }
    }

    private void startWrite(boolean lba48, boolean multiple, boolean dma) {
        if (beginTransfer(lba48, multiple, dma)) {
            transferFromHost(Math.min(sectorsLeft, sectorsInBlock) * SECTOR_SIZE, false);
        }
    }

    private void readNextBlock() {
        int sectors = Math.min(sectorsLeft, sectorsInBlock);
        try {
            image.read(nextLba * SECTOR_SIZE, buffer, 0, sectors * SECTOR_SIZE);
        } catch (IOException e) {
            log.warn("{}: read of sector {} failed: {}", name, nextLba, e.toString());
            setLba28(nextLba);
            fail(ERROR_UNC);
            return;
        }
        transferToHost(sectors * SECTOR_SIZE);
    }

    @Override
    protected void blockTransferred() {
        int sectors = bufferEnd / SECTOR_SIZE;
        if (command == CMD_IDENTIFY_DEVICE) {
            completeWithoutInterrupt();
            return;
        }
        if (isWriteCommand()) {
            try {
                image.write(nextLba * SECTOR_SIZE, buffer, 0, sectors * SECTOR_SIZE);
                if (!writeCacheEnabled) {
                    image.flush();
                }
            } catch (IOException e) {
                log.warn("{}: write of sector {} failed: {}", name, nextLba, e.toString());
                setLba28(nextLba);
                fail(ERROR_ABRT);
                return;
            }
        }
        nextLba += sectors;
        sectorsLeft -= sectors;
        if (sectorsLeft == 0) {
            if (dmaMode || isWriteCommand()) {
                complete();
            } else {
                completeWithoutInterrupt();
            }
        } else if (isWriteCommand()) {
            transferFromHost(Math.min(sectorsLeft, sectorsInBlock) * SECTOR_SIZE, true);
        } else {
            readNextBlock();
        }
    }

    private boolean isWriteCommand() {
        return switch (command) {
            case CMD_WRITE_SECTORS, CMD_WRITE_SECTORS_NO_RETRY, CMD_WRITE_SECTORS_EXT, CMD_WRITE_MULTIPLE,
                 CMD_WRITE_MULTIPLE_EXT, CMD_WRITE_DMA, CMD_WRITE_DMA_NO_RETRY, CMD_WRITE_DMA_EXT -> true;
            default -> false;
        };
    }

    private void verify(boolean lba48) {
        long start = startAddress(lba48);
        if (start < 0 || start + requestedSectors(lba48) > totalSectors) {
            fail(ERROR_IDNF);
        } else {
            complete();
        }
    }

    private void setMultipleMode() {
        int count = sectorCount;
        // a power of two up to the maximum; 0 disables multiple mode (ATA-6 8.39)
        if (count > MAX_MULTIPLE_SECTORS || (count != 0 && Integer.bitCount(count) != 1)) {
            fail(ERROR_ABRT);
        } else {
            multipleSectors = count;
            complete();
        }
    }

    private void initializeDeviceParameters() {
        int sectorsPerTrack = sectorCount;
        int heads = (device & 0x0F) + 1;
        if (sectorsPerTrack == 0) {
            fail(ERROR_ABRT);
            return;
        }
        currentHeads = heads;
        currentSectorsPerTrack = sectorsPerTrack;
        complete();
    }

    private void setFeatures() {
        switch (features) {
            case FEATURE_ENABLE_WRITE_CACHE -> writeCacheEnabled = true;
            case FEATURE_DISABLE_WRITE_CACHE -> {
                writeCacheEnabled = false;
                if (!flushImage()) {
                    return;
                }
            }
            case FEATURE_SET_TRANSFER_MODE -> {
                if (!setTransferMode(sectorCount)) {
                    fail(ERROR_ABRT);
                    return;
                }
            }
            case FEATURE_ENABLE_READ_LOOKAHEAD, FEATURE_DISABLE_READ_LOOKAHEAD, FEATURE_ENABLE_REVERTING,
                 FEATURE_DISABLE_REVERTING -> { }
            default -> {
                fail(ERROR_ABRT);
                return;
            }
        }
        complete();
    }

    /** SET FEATURES 03h: the sector count holds the mode (ATA-6 table 44). */
    private boolean setTransferMode(int mode) {
        int kind = mode >>> 3;
        int number = mode & 7;
        switch (kind) {
            case 0, 1 -> { } // PIO default / PIO flow-control mode: PIO always works
            case 4 -> {
                if (number > 2) return false;
                multiwordDmaSelected = 1 << number;
                ultraDmaSelected = 0;
            }
            case 8 -> {
                if (number > 5) return false;
                ultraDmaSelected = 1 << number;
                multiwordDmaSelected = 0;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * The command completes once the host's fsync has returned (ATA-6, FLUSH CACHE: when
     * the cached data are on the medium), so what the guest flushed survives a
     * kill of the emulator; BSY stays set meanwhile and the guest runs on.
     */
    private void flushCache() {
        int number = ++flushNumber;
        flushInFlight = true;
        hostIo.submit(image::flush, failure -> flushCompleted(number, failure));
    }

    private void flushCompleted(int number, IOException failure) {
        boolean stillWaiting = flushInFlight && number == flushNumber && phase == Phase.BUSY
                && (command == CMD_FLUSH_CACHE || command == CMD_FLUSH_CACHE_EXT);
        if (!stillWaiting) {
            return; // a reset ended the command meanwhile
        }
        flushInFlight = false;
        if (failure != null) {
            log.warn("{}: flush failed: {}", name, failure.toString());
            fail(ERROR_ABRT);
        } else {
            complete();
        }
    }

    private boolean flushImage() {
        try {
            image.flush();
            return true;
        } catch (IOException e) {
            log.warn("{}: flush failed: {}", name, e.toString());
            fail(ERROR_ABRT);
            return false;
        }
    }

    private void setLba28(long lba) {
        lbaLow = (int) lba & 0xFF;
        lbaMid = (int) (lba >>> 8) & 0xFF;
        lbaHigh = (int) (lba >>> 16) & 0xFF;
        device = (device & 0xF0) | (int) (lba >>> 24) & 0x0F;
    }

    private void setLba48(long lba) {
        lbaLow = (int) lba & 0xFF;
        lbaMid = (int) (lba >>> 8) & 0xFF;
        lbaHigh = (int) (lba >>> 16) & 0xFF;
        previousLbaLow = (int) (lba >>> 24) & 0xFF;
        previousLbaMid = (int) (lba >>> 32) & 0xFF;
        previousLbaHigh = (int) (lba >>> 40) & 0xFF;
    }

    // ---- IDENTIFY DEVICE (ATA-6 8.15, table 19) ------------------------------------------------------

    private void writeIdentify() {
        int[] words = new int[256];
        int cylinders = defaultCylinders;
        words[0] = 0x0040; // fixed device, not removable
        words[1] = cylinders;
        words[3] = DEFAULT_HEADS;
        words[6] = DEFAULT_SECTORS_PER_TRACK;
        IdentifyData.putString(words, 10, 20, serialNumber);
        IdentifyData.putString(words, 23, 8, "1.0");
        IdentifyData.putString(words, 27, 40, model);
        words[47] = 0x8000 | MAX_MULTIPLE_SECTORS;
        words[49] = 0x0300; // LBA and DMA supported
        words[50] = 0x4000;
        words[53] = 0x0007; // words 54-58, 64-70 and 88 are valid
        long currentCapacity = Math.min((long) currentCylinders() * currentHeads * currentSectorsPerTrack,
                0xFFFF_FFFFL);
        words[54] = currentCylinders();
        words[55] = currentHeads;
        words[56] = currentSectorsPerTrack;
        words[57] = (int) currentCapacity & 0xFFFF;
        words[58] = (int) (currentCapacity >>> 16);
        words[59] = multipleSectors != 0 ? 0x0100 | multipleSectors : 0;
        long lba28 = Math.min(totalSectors, LBA28_LIMIT - 1);
        words[60] = (int) lba28 & 0xFFFF;
        words[61] = (int) (lba28 >>> 16);
        words[63] = 0x0007 | multiwordDmaSelected << 8; // multiword DMA modes 0-2
        words[64] = 0x0003; // PIO modes 3 and 4
        words[65] = 120;
        words[66] = 120;
        words[67] = 120;
        words[68] = 120;
        words[80] = 0x007E; // ATA-1 to ATA-6
        words[82] = 0x4000 | 0x0020; // NOP (obsolete bit kept set as drives do), write cache
        words[83] = 0x4000 | 0x2000 | 0x1000 | 0x0400; // FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses
        words[84] = 0x4000;
        words[85] = 0x4000 | (writeCacheEnabled ? 0x0020 : 0);
        words[86] = 0x2000 | 0x1000 | 0x0400;
        words[87] = 0x4000;
        words[88] = 0x003F | ultraDmaSelected << 8; // Ultra DMA modes 0-5
        words[93] = isDevice1() ? 0x4000 | 0x0100 : 0x4000 | 0x0001; // reset result: no cable detection
        words[100] = (int) totalSectors & 0xFFFF;
        words[101] = (int) (totalSectors >>> 16) & 0xFFFF;
        words[102] = (int) (totalSectors >>> 32) & 0xFFFF;
        words[103] = (int) (totalSectors >>> 48) & 0xFFFF;
        IdentifyData.toBytes(words, buffer);
    }

    private int currentCylinders() {
        long perCylinder = (long) currentHeads * currentSectorsPerTrack;
        return (int) Math.min(MAX_CYLINDERS, totalSectors / perCylinder);
    }

    // ---- snapshots -------------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        out.writeInt(multipleSectors);
        out.writeInt(currentHeads);
        out.writeInt(currentSectorsPerTrack);
        out.writeBoolean(writeCacheEnabled);
        out.writeInt(multiwordDmaSelected);
        out.writeInt(ultraDmaSelected);
        out.writeLong(nextLba);
        out.writeInt(sectorsLeft);
        out.writeInt(sectorsInBlock);
        out.writeBoolean(flushInFlight);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        multipleSectors = in.readInt();
        currentHeads = in.readInt();
        currentSectorsPerTrack = in.readInt();
        writeCacheEnabled = in.readBoolean();
        multiwordDmaSelected = in.readInt();
        ultraDmaSelected = in.readInt();
        nextLba = in.readLong();
        sectorsLeft = in.readInt();
        sectorsInBlock = in.readInt();
        if (in.readBoolean()) {
            flushCache(); // the saved machine was waiting for a flush: flush again, the command then completes
        }
    }
}
