package org.vstation.devices.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk image: sector n of the disk is bytes 512n..512n+511 of the file.
 * Opened for writing with an exclusive lock, so a second VM cannot use the
 * same disk; created sparse, so an empty disk takes no space on the host.
 */
public final class RawDiskImage extends FileImage {
    public static final int SECTOR_SIZE = 512;

    private RawDiskImage(Path path, FileChannel channel, FileLock lock, long size) {
        super(path, channel, lock, size);
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    /** Creates a new, empty (sparse) image of {@code sizeBytes}, a positive multiple of 512. */
    public static void create(Path path, long sizeBytes) throws ImageException {
        if (sizeBytes <= 0 || sizeBytes % SECTOR_SIZE != 0) {
            throw new ImageException(ImageException.Reason.INVALID_SIZE, path,
                    "a disk size must be a positive multiple of 512 bytes, got " + sizeBytes);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            // writing the last byte sets the length without allocating the blocks before it
            channel.write(ByteBuffer.wrap(new byte[1]), sizeBytes - 1);
        } catch (FileAlreadyExistsException e) {
            throw new ImageException(ImageException.Reason.ALREADY_EXISTS, path, "already exists", e);
        } catch (IOException e) {
            throw new ImageException(ImageException.Reason.NOT_WRITABLE, path, "cannot create: " + e.getMessage(), e);
        }
    }

    /** Opens an existing image for reading and writing, locked against other openers. */
    public static RawDiskImage open(Path path) throws ImageException {
        if (!Files.exists(path)) {
            throw new ImageException(ImageException.Reason.MISSING, path, "no such disk image");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new ImageException(ImageException.Reason.MISSING, path, "no such disk image", e);
        } catch (AccessDeniedException e) {
            throw new ImageException(ImageException.Reason.NOT_WRITABLE, path, "the disk image is not writable", e);
        } catch (IOException e) {
            throw new ImageException(ImageException.Reason.UNREADABLE, path, "cannot open: " + e.getMessage(), e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new ImageException(ImageException.Reason.IN_USE, path,
                        "the disk image is in use by another virtual machine");
            }
            long size = channel.size();
            if (size == 0 || size % SECTOR_SIZE != 0) {
                lock.release();
                throw new ImageException(ImageException.Reason.TRUNCATED, path,
                        "a disk image must be a non-empty multiple of 512 bytes, this one has " + size);
            }
            return new RawDiskImage(path, channel, lock, size);
        } catch (ImageException e) {
            closeQuietly(channel);
            throw e;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ImageException(ImageException.Reason.UNREADABLE, path, "cannot lock: " + e.getMessage(), e);
        }
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing with the more useful error
        }
    }
}
