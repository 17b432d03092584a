package org.vstation.devices.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only ISO 9660 image for the CD/DVD drive. Opening checks what ECMA-119
 * (8.4) says every such image has: 2048-byte logical sectors and a primary
 * volume descriptor (type 1, identifier "CD001") at sector 16.
 */
public final class IsoImage extends FileImage {
    public static final int SECTOR_SIZE = 2048;
    private static final int PRIMARY_VOLUME_DESCRIPTOR_SECTOR = 16;
    private static final int TYPE_PRIMARY = 1;

    private IsoImage(Path path, FileChannel channel, long size) {
        super(path, channel, null, size);
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    public long sectorCount() {
        return size() / SECTOR_SIZE;
    }

    public static IsoImage open(Path path) throws ImageException {
        if (!Files.exists(path)) {
            throw new ImageException(ImageException.Reason.MISSING, path, "no such ISO image");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ImageException(ImageException.Reason.MISSING, path, "no such ISO image", e);
        } catch (AccessDeniedException e) {
            throw new ImageException(ImageException.Reason.UNREADABLE, path, "the ISO image is not readable", e);
        } catch (IOException e) {
            throw new ImageException(ImageException.Reason.UNREADABLE, path, "cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < (PRIMARY_VOLUME_DESCRIPTOR_SECTOR + 1L) * SECTOR_SIZE) {
                throw new ImageException(ImageException.Reason.TRUNCATED, path,
                        "too short for an ISO 9660 image (" + size + " bytes)");
            }
            if (size % SECTOR_SIZE != 0) {
                throw new ImageException(ImageException.Reason.TRUNCATED, path,
                        "size " + size + " is not a multiple of 2048 bytes; the image is truncated or not an ISO");
            }
            ByteBuffer descriptor = ByteBuffer.allocate(8);
            channel.read(descriptor, (long) PRIMARY_VOLUME_DESCRIPTOR_SECTOR * SECTOR_SIZE);
            byte[] bytes = descriptor.array();
            String identifier = new String(bytes, 1, 5, StandardCharsets.US_ASCII);
            if (bytes[0] != TYPE_PRIMARY || !identifier.equals("CD001")) {
                throw new ImageException(ImageException.Reason.NOT_ISO, path,
                        "not an ISO 9660 image (no primary volume descriptor at sector 16)");
            }
            return new IsoImage(path, channel, size);
        } catch (ImageException e) {
            RawDiskImage.closeQuietly(channel);
            throw e;
        } catch (IOException e) {
            RawDiskImage.closeQuietly(channel);
            throw new ImageException(ImageException.Reason.UNREADABLE, path, "cannot read: " + e.getMessage(), e);
        }
    }
}
