package org.vstation.ui.console;

import java.nio.IntBuffer;
import javafx.geometry.Rectangle2D;
import javafx.scene.image.PixelBuffer;
import org.vstation.devices.display.Framebuffer;

/**
 * The hand-over between a VM thread and the FX thread. The VM thread copies the rows that changed
 * into a staging array (bulk row copies, while the framebuffer is its own); the FX thread moves
 * them into the {@link PixelBuffer} inside {@code updateBuffer} and tells JavaFX which rectangle
 * changed, so only that part is uploaded to the texture.
 */
final class ScreenSink {
    private int width;
    private int height;
    private int[] staging = new int[0];
    private int dirtyLeft;
    private int dirtyTop;
    private int dirtyRight;
    private int dirtyBottom;
    private boolean dirty;
    private boolean resized;

    /** On the VM thread: takes what changed in {@code framebuffer} since the last refresh. */
    synchronized void accept(Framebuffer framebuffer) {
        if (framebuffer.width() != width || framebuffer.height() != height) {
            width = framebuffer.width();
            height = framebuffer.height();
            staging = new int[width * height];
            System.arraycopy(framebuffer.pixels(), 0, staging, 0, staging.length);
            resized = true;
            markDirty(0, 0, width, height);
            return;
        }
        if (!framebuffer.isDirty()) {
            return;
        }
        int left = framebuffer.dirtyX();
        int top = framebuffer.dirtyY();
        int right = left + framebuffer.dirtyWidth();
        int bottom = top + framebuffer.dirtyHeight();
        int[] pixels = framebuffer.pixels();
        for (int y = top; y < bottom; y++) {
            System.arraycopy(pixels, y * width + left, staging, y * width + left, right - left);
        }
        markDirty(left, top, right, bottom);
    }

    private void markDirty(int left, int top, int right, int bottom) {
        if (!dirty) {
            dirtyLeft = left;
            dirtyTop = top;
            dirtyRight = right;
            dirtyBottom = bottom;
            dirty = true;
        } else {
            dirtyLeft = Math.min(dirtyLeft, left);
            dirtyTop = Math.min(dirtyTop, top);
            dirtyRight = Math.max(dirtyRight, right);
            dirtyBottom = Math.max(dirtyBottom, bottom);
        }
    }

    synchronized boolean isDirty() {
        return dirty;
    }

    /** True once after the screen changed size: the FX side needs a new buffer of {@link #width()} x {@link #height()}. */
    synchronized boolean takeResized() {
        boolean was = resized;
        resized = false;
        return was;
    }

    synchronized int width() {
        return width;
    }

    synchronized int height() {
        return height;
    }

    /** On the FX thread inside {@code updateBuffer}: moves the dirty rows into the buffer, returns the rectangle. */
    synchronized Rectangle2D drainInto(PixelBuffer<IntBuffer> target) {
        if (!dirty || target.getWidth() != width || target.getHeight() != height) {
            return Rectangle2D.EMPTY;
        }
        IntBuffer buffer = target.getBuffer();
        int rowLength = dirtyRight - dirtyLeft;
        for (int y = dirtyTop; y < dirtyBottom; y++) {
            int offset = y * width + dirtyLeft;
            buffer.put(offset, staging, offset, rowLength);
        }
        dirty = false;
        return new Rectangle2D(dirtyLeft, dirtyTop, rowLength, dirtyBottom - dirtyTop);
    }
}
