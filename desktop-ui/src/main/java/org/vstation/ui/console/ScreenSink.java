package org.vstation.ui.console;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import javafx.geometry.Rectangle2D;
import javafx.scene.image.PixelBuffer;
import org.vstation.devices.display.DisplaySink;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.LinearScanOut;

/**
 * The hand-over between a VM thread and the FX thread, without a copy on the VM thread. The VM
 * thread notes what changed (on {@link #rendered} or {@link #scannedOut}) and the FX thread copies
 * it into the {@link PixelBuffer} ({@link #drainInto}). A rendered picture is the renderer's, which
 * the VM thread writes only when the console asks for the next refresh, after it has drained this
 * one. A 32-bit linear screen is copied straight from video memory, as a monitor scans it out while
 * the guest draws, so the VM thread spends nothing per pixel on it. The monitor gives the FX thread
 * the VM thread's writes.
 */
final class ScreenSink implements DisplaySink {
    private static final ValueLayout.OfInt PIXEL_32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int OPAQUE = 0xFF00_0000;

    private int width;
    private int height;
    /** The rendered picture, stride {@link #width}; null while the screen is scanned out of video memory. */
    private int[] pixels;
    private LinearScanOut scanOut;
    private MemorySegment videoMemory;
    /** One line of a scanned-out screen on its way into the buffer, made opaque (FX thread). */
    private int[] line = new int[0];
    private int dirtyLeft;
    private int dirtyTop;
    private int dirtyRight;
    private int dirtyBottom;
    private boolean dirty;
    private boolean resized;

    /** On the VM thread, right after rendering: remembers the picture and what changed since the last refresh. */
    @Override
    public synchronized void rendered(Framebuffer framebuffer) {
        boolean sourceChanged = pixels == null;
        pixels = framebuffer.pixels();
        scanOut = null;
        if (resize(framebuffer.width(), framebuffer.height()) || sourceChanged) {
            markDirty(0, 0, width, height);
        } else if (framebuffer.isDirty()) {
            markDirty(framebuffer.dirtyX(), framebuffer.dirtyY(), framebuffer.dirtyX() + framebuffer.dirtyWidth(),
                    framebuffer.dirtyY() + framebuffer.dirtyHeight());
        }
    }

    /** On the VM thread: where the 32-bit screen lies in video memory and which of its lines changed. */
    @Override
    public synchronized void scannedOut(LinearScanOut screen) {
        boolean sourceChanged = scanOut == null || scanOut.memory() != screen.memory()
                || scanOut.start() != screen.start() || scanOut.pitch() != screen.pitch();
        if (scanOut == null || scanOut.memory() != screen.memory()) {
            videoMemory = MemorySegment.ofArray(screen.memory());
        }
        scanOut = screen;
        pixels = null;
        if (resize(screen.width(), screen.height()) || sourceChanged) {
            markDirty(0, 0, width, height);
        } else if (screen.isDirty()) {
            markDirty(0, screen.dirtyTop(), width, screen.dirtyBottom());
        }
    }

    private boolean resize(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return false;
        }
        width = newWidth;
        height = newHeight;
        resized = true;
        return true;
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
        if (scanOut != null) {
            scanOutRows(buffer);
        } else if (rowLength == width) {
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

    /** The dirty lines of a scanned-out screen, X8R8G8B8 made opaque ARGB (the X byte is not alpha). */
    private void scanOutRows(IntBuffer buffer) {
        if (line.length != width) {
            line = new int[width];
        }
        for (int y = dirtyTop; y < dirtyBottom; y++) {
            MemorySegment.copy(videoMemory, PIXEL_32_LE, scanOut.start() + (long) y * scanOut.pitch(), line, 0, width);
            for (int x = 0; x < width; x++) {
                line[x] |= OPAQUE;
            }
            buffer.put(y * width, line, 0, width);
        }
    }
}
