package org.vstation.devices.storage;

import java.io.IOException;

/**
 * The bytes behind a drive: a disk image or an ISO. Positional and
 * synchronous for now (the devices call it on the VM thread); kept this small
 * so a later version can complete reads and writes on a worker thread.
 */
public interface BlockImage extends AutoCloseable {
    /** Size in bytes. */
    long size();

    boolean readOnly();

    /** Reads exactly {@code length} bytes at {@code position}; bytes past the end read as zero. */
    void read(long position, byte[] destination, int offset, int length) throws IOException;

    /** Writes {@code length} bytes at {@code position}; refused on a read-only image. */
    void write(long position, byte[] source, int offset, int length) throws IOException;

    /** Makes every completed write durable (fsync). */
    void flush() throws IOException;

    /** A short description for messages, usually the file name. */
    String description();

    @Override
    void close() throws IOException;
}
