package org.vstation.devices.display;

import java.util.Arrays;

/**
 * A picture of a guest's screen: opaque ARGB pixels, row by row, plus the
 * rectangle that changed in the last update. The console repaints only that
 * rectangle; a screenshot takes the whole picture.
 */
public final class Framebuffer {
    private int width;
    private int height;
    private int[] pixels;
    private int dirtyLeft;
    private int dirtyTop;
    private int dirtyRight;
    private int dirtyBottom;

    public Framebuffer(int width, int height) {
        this.width = width;
        this.height = height;
        this.pixels = new int[width * height];
        Arrays.fill(pixels, 0xFF00_0000);
        markAllDirty();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixels, {@code width * height} of them, row-major with a stride of {@link #width()}. */
    public int[] pixels() {
        return pixels;
    }

    /** An independent copy of the picture (for handing to another thread), marked all dirty. */
    public Framebuffer copy() {
        Framebuffer copy = new Framebuffer(width, height);
        System.arraycopy(pixels, 0, copy.pixels, 0, pixels.length);
        return copy;
    }

    public int pixel(int x, int y) {
        return pixels[y * width + x];
    }

    /** Changes the size; the whole picture becomes black and dirty. Does nothing if the size is unchanged. */
    public void resize(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return;
        }
        width = newWidth;
        height = newHeight;
        pixels = new int[newWidth * newHeight];
        Arrays.fill(pixels, 0xFF00_0000);
        markAllDirty();
    }

    // ---- the changed rectangle --------------------------------------------------

    public boolean isDirty() {
        return dirtyRight > dirtyLeft && dirtyBottom > dirtyTop;
    }

    public int dirtyX() {
        return isDirty() ? dirtyLeft : 0;
    }

    public int dirtyY() {
        return isDirty() ? dirtyTop : 0;
    }

    public int dirtyWidth() {
        return isDirty() ? dirtyRight - dirtyLeft : 0;
    }

    public int dirtyHeight() {
        return isDirty() ? dirtyBottom - dirtyTop : 0;
    }

    public void clearDirty() {
        dirtyLeft = dirtyTop = Integer.MAX_VALUE;
        dirtyRight = dirtyBottom = 0;
    }

    public void markAllDirty() {
        dirtyLeft = 0;
        dirtyTop = 0;
        dirtyRight = width;
        dirtyBottom = height;
    }

    /** Adds full-width rows [top, bottom) to the changed rectangle. */
    public void markRowsDirty(int top, int bottom) {
        markDirty(0, top, width, bottom);
    }

    /** Adds [left, right) x [top, bottom) to the changed rectangle (clamped to the picture). */
    public void markDirty(int left, int top, int right, int bottom) {
        left = Math.max(0, left);
        top = Math.max(0, top);
        right = Math.min(width, right);
        bottom = Math.min(height, bottom);
        if (right <= left || bottom <= top) {
            return;
        }
        dirtyLeft = Math.min(dirtyLeft, left);
        dirtyTop = Math.min(dirtyTop, top);
        dirtyRight = Math.max(dirtyRight, right);
        dirtyBottom = Math.max(dirtyBottom, bottom);
    }
}
