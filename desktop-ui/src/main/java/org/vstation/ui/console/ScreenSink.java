package org.vstation.ui.console;

import java.nio.IntBuffer;
import javafx.geometry.Rectangle2D;
import javafx.scene.image.PixelBuffer;
import org.vstation.devices.display.Framebuffer;

/**
 * The hand-over between a VM thread and the FX thread, without a copy on the VM thread. The VM
 * thread renders only when the console asks for a refresh, and the console asks for the next one
 * only after it has drained this one; so between {@link #accept} (VM thread, notes which pixels
 * changed) and {@link #drainInto} (FX thread, copies them straight from the renderer's picture
 * into the {@link PixelBuffer}) nothing writes that picture, and the VM thread never pays for
 * copying whole frames. The monitor gives the FX thread the VM thread's writes.
 */
final class ScreenSink {
    private int width;
    private int height;
    private int[] pixels;
    private int dirtyLeft;
    private int dirtyTop;
    private int dirtyRight;
    private int dirtyBottom;
    private boolean dirty;
    private boolean resized;

    /** On the VM thread, right after rendering: remembers the picture and what changed since the last refresh. */
    synchronized void accept(Framebuffer framebuffer) {
        pixels = framebuffer.pixels();
        if (framebuffer.width() != width || framebuffer.height() != height) {
            width = framebuffer.width();
            height = framebuffer.height();
            resized = true;
            markDirty(0, 0, width, height);
            return;
        }
        if (framebuffer.isDirty()) {
            markDirty(framebuffer.dirtyX(), framebuffer.dirtyY(), framebuffer.dirtyX() + framebuffer.dirtyWidth(),
                    framebuffer.dirtyY() + framebuffer.dirtyHeight());
        }
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

    /** On the FX thread inside {@code updateBuffer}: copies the changed rows into the buffer, returns the rectangle. */
    synchronized Rectangle2D drainInto(PixelBuffer<IntBuffer> target) {
        if (!dirty || target.getWidth() != width || target.getHeight() != height) {
            return Rectangle2D.EMPTY;
        }
        IntBuffer buffer = target.getBuffer();
        int rowLength = dirtyRight - dirtyLeft;
        if (rowLength == width) {
            int offset = dirtyTop * width;
            buffer.put(offset, pixels, offset, (dirtyBottom - dirtyTop) * width); // whole rows: one copy
        } else {
            for (int y = dirtyTop; y < dirtyBottom; y++) {
                int offset = y * width + dirtyLeft;
                buffer.put(offset, pixels, offset, rowLength);
            }
        }
        dirty = false;
        return new Rectangle2D(dirtyLeft, dirtyTop, rowLength, dirtyBottom - dirtyTop);
    }
}
