package org.vstation.devices.input;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** A bounded queue of bytes (a PS/2 device's output buffer), without boxing. */
final class ByteFifo {
    private final int[] bytes;
    private int head;
    private int size;

    ByteFifo(int capacity) {
        bytes = new int[capacity];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int free() {
        return bytes.length - size;
    }

    /** Adds a byte; returns false (and drops it) when full. */
    boolean add(int value) {
        if (size == bytes.length) return false;
        bytes[(head + size) % bytes.length] = value & 0xFF;
        size++;
        return true;
    }

    int poll() {
        if (size == 0) throw new IllegalStateException("empty PS/2 queue");
        int value = bytes[head];
        head = (head + 1) % bytes.length;
        size--;
        return value;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    void save(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) out.writeByte(bytes[(head + i) % bytes.length]);
    }

    void restore(DataInput in) throws IOException {
        clear();
        int count = in.readInt();
        if (count < 0 || count > bytes.length) {
            throw new IOException("PS/2 queue of " + count + " bytes exceeds its capacity " + bytes.length);
        }
        for (int i = 0; i < count; i++) add(in.readUnsignedByte());
    }
}
