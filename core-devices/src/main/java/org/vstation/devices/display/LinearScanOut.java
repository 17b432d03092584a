package org.vstation.devices.display;

/**
 * A direct-colour screen that a display copies straight out of video memory, as a monitor scans it
 * out, instead of the VM thread drawing it into a {@link Framebuffer}: {@code height} lines of
 * {@code width} pixels, each a little-endian 32-bit X8R8G8B8 word, line y starting at byte
 * {@code start + y * pitch} of {@code memory}, every line inside it. Lines {@code [dirtyTop,
 * dirtyBottom)} changed since the previous hand-over. The display reads on its own thread while
 * the guest goes on writing, so a frame may mix old and new pixels, as a real monitor's does; the
 * pages written meanwhile are dirty again, so the next frame shows them.
 */
public record LinearScanOut(byte[] memory, int start, int pitch, int width, int height, int dirtyTop,
        int dirtyBottom) {

    public boolean isDirty() {
        return dirtyBottom > dirtyTop;
    }
}
