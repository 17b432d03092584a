package org.vstation.manager.net;

/** A fixed-size FIFO of bytes (a TCP send buffer: unacknowledged and unsent data). */
final class ByteRing {
    private final byte[] data;
    private int head;
    private int size;

    ByteRing(int capacity) {
        data = new byte[capacity];
    }

    int size() {
        return size;
    }

    int free() {
        return data.length - size;
    }

    /** Where the next {@link #commit} goes, as a contiguous run: [writeOffset, writeOffset + writableRun). */
    int writeOffset() {
        return (head + size) % data.length;
    }

    int writableRun() {
        int tail = writeOffset();
        return Math.min(free(), data.length - tail);
    }

    byte[] array() {
        return data;
    }

    void commit(int count) {
        size += count;
    }

    void discard(int count) {
        int n = Math.min(count, size);
        head = (head + n) % data.length;
        size -= n;
    }

    /** Copies {@code length} bytes starting {@code offset} bytes after the head. */
    void copy(int offset, byte[] destination, int destinationOffset, int length) {
        int start = (head + offset) % data.length;
        int first = Math.min(length, data.length - start);
        System.arraycopy(data, start, destination, destinationOffset, first);
        System.arraycopy(data, 0, destination, destinationOffset + first, length - first);
    }
}
