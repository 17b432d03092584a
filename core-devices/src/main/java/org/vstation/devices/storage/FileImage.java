package org.vstation.devices.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/** The file-backed part shared by disk and ISO images: positional I/O on a FileChannel. */
abstract class FileImage implements BlockImage {
    protected final Path path;
    protected final FileChannel channel;
    private final FileLock lock;
    private final long size;

    FileImage(Path path, FileChannel channel, FileLock lock, long size) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String description() {
        return path.getFileName().toString();
    }

    public Path path() {
        return path;
    }

    @Override
    public void read(long position, byte[] destination, int offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(destination, offset, length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + (buffer.position() - offset));
            if (n < 0) {
                // a file shorter than its nominal size (grown sparse, or truncated behind our back)
                while (buffer.hasRemaining()) {
                    buffer.put((byte) 0);
                }
            }
        }
    }

    @Override
    public void write(long position, byte[] source, int offset, int length) throws IOException {
        if (readOnly()) {
            throw new IOException(description() + " is read-only");
        }
        ByteBuffer buffer = ByteBuffer.wrap(source, offset, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + (buffer.position() - offset));
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly()) {
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
            channel.close();
        }
    }
}
