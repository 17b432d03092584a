package org.vstation.devices.display;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngWriterTest {
    @Test
    void writesEveryPixel(@TempDir Path dir) throws Exception {
        Framebuffer fb = new Framebuffer(3, 2);
        int[] colours = {0xFF102030, 0xFFFFFFFF, 0xFF000000, 0xFFAA5500, 0xFF00FF00, 0xFF0000FF};
        System.arraycopy(colours, 0, fb.pixels(), 0, colours.length);
        Path file = dir.resolve("shots/s.png");
        PngWriter.write(fb, file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(3, image.getWidth());
        assertEquals(2, image.getHeight());
        for (int i = 0; i < colours.length; i++) {
            assertEquals(colours[i], image.getRGB(i % 3, i / 3) | 0xFF000000, "pixel " + i);
        }
    }

    @Test
    void dirtyRectangleIsTheUnionOfMarkedAreasClampedToThePicture() {
        Framebuffer fb = new Framebuffer(100, 50);
        fb.clearDirty();
        assertFalse(fb.isDirty());
        fb.markDirty(10, 5, 20, 8);
        fb.markDirty(-5, 30, 15, 200);
        assertEquals(0, fb.dirtyX());
        assertEquals(5, fb.dirtyY());
        assertEquals(20, fb.dirtyWidth());
        assertEquals(45, fb.dirtyHeight());
    }
}
