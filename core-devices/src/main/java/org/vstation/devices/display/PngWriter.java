package org.vstation.devices.display;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes a {@link Framebuffer} as a PNG file (for {@code --screenshot}). The
 * only class here that touches AWT, so the device and renderer stay free of it.
 */
public final class PngWriter {
    private PngWriter() {
    }

    public static void write(Framebuffer framebuffer, Path file) throws IOException {
        BufferedImage image = new BufferedImage(Math.max(1, framebuffer.width()), Math.max(1, framebuffer.height()),
                BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, framebuffer.width(), framebuffer.height(), framebuffer.pixels(), 0, framebuffer.width());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available in this Java runtime");
        }
    }
}
