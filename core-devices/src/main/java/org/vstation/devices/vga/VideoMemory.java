package org.vstation.devices.vga;

import java.util.Arrays;

/**
 * The adapter's video memory: one plain byte array, plus a bitmap of the
 * 4 KiB pages written since the renderer last looked, so an unchanged
 * screen costs a scan of a few words instead of a redraw.
 *
 * <p>The four VGA planes are interleaved: byte {@code 4 * a + p} is plane
 * {@code p} at plane address {@code a}. This puts a chunky (VBE) frame at
 * its natural linear offsets, and mode 13h's chain-4 pixels at their CPU
 * offsets within plane-address order.
 *
 * <p>Owned by the VM thread, like the device; the renderer runs there too.
 */
public final class VideoMemory {
    public static final int PAGE_SHIFT = 12;

    private final byte[] bytes;
    private final long[] dirtyPages;
    private boolean plane2Written;

    public VideoMemory(int size) {
        if (size < 256 * 1024 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("video memory must be a power of two of at least 256 KiB: " + size);
        }
        bytes = new byte[size];
        dirtyPages = new long[(size >>> (PAGE_SHIFT + 6)) + 1];
        markAllDirty();
    }

    /** The memory itself; callers that write it directly must call {@link #markDirty}. */
    public byte[] bytes() {
        return bytes;
    }

    public int size() {
        return bytes.length;
    }

    public void markDirty(int offset) {
        int page = offset >>> PAGE_SHIFT;
        dirtyPages[page >>> 6] |= 1L << page;
    }

    public void markDirty(int offset, int length) {
        if (length <= 0) {
            return;
        }
        int first = offset >>> PAGE_SHIFT;
        int last = (offset + length - 1) >>> PAGE_SHIFT;
        for (int page = first; page <= last; page++) {
            dirtyPages[page >>> 6] |= 1L << page;
        }
    }

    public void markAllDirty() {
        Arrays.fill(dirtyPages, -1L);
        plane2Written = true;
    }

    /** Notes a write into plane 2 through the VGA window, where text modes keep their fonts. */
    void notePlane2Write() {
        plane2Written = true;
    }

    /** True if any page overlapping [offset, offset + length) was written since the last {@link #clearDirty}. */
    public boolean isDirty(int offset, int length) {
        if (length <= 0 || offset >= bytes.length || offset + length <= 0) {
            return false;
        }
        int first = Math.max(0, offset) >>> PAGE_SHIFT;
        int last = (Math.min(bytes.length, offset + length) - 1) >>> PAGE_SHIFT;
        for (int page = first; page <= last; page++) {
            if ((dirtyPages[page >>> 6] & 1L << page) != 0) {
                return true;
            }
        }
        return false;
    }

    public boolean anyDirty() {
        for (long word : dirtyPages) {
            if (word != 0) {
                return true;
            }
        }
        return false;
    }

    /** True if plane 2 (the font plane) was written since the last {@link #clearDirty}. */
    public boolean plane2Written() {
        return plane2Written;
    }

    /** Forgets all writes so far; the renderer calls this once it has drawn them. */
    public void clearDirty() {
        Arrays.fill(dirtyPages, 0L);
        plane2Written = false;
    }
}
