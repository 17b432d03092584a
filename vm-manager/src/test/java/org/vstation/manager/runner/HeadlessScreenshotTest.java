package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vstation run --headless --screenshot}: a guest draws through the VGA and the PNG shows it. */
class HeadlessScreenshotTest {
    @TempDir
    Path dir;

    @Test
    void screenshotShowsWhatTheGuestDrew() throws Exception {
        Path bios = assemble("vbe-screenshot-bios.asm");
        // The launcher wants SeaVGABIOS beside the BIOS; this BIOS never runs option ROMs, so a bare one will do.
        byte[] optionRom = new byte[512];
        optionRom[0] = 0x55;
        optionRom[1] = (byte) 0xAA;
        optionRom[2] = 1;
        optionRom[3] = (byte) 0xCB; // RETF
        Files.write(bios.resolveSibling("vgabios-stdvga.bin"), optionRom);
        Path png = dir.resolve("s.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = HeadlessRunCommand.run(List.of("--headless", "--bios", bios.toString(), "--until", "done",
                "--timeout", "60", "--screenshot", png.toString()), new PrintStream(out), new PrintStream(err));
        assertEquals(HeadlessRunCommand.EXIT_OK, exit, err.toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(320, image.getWidth());
        assertEquals(200, image.getHeight());
        assertEquals(0xFF0000, image.getRGB(10, 5) & 0xFFFFFF, "palette entry 1 at (10, 5)");
        assertEquals(0x000000, image.getRGB(11, 5) & 0xFFFFFF);
    }

    private Path assemble(String resource) throws Exception {
        assumeTrue(onPath("nasm"), "needs nasm");
        Path source = dir.resolve(resource);
        try (var in = getClass().getResourceAsStream(resource)) {
            Files.write(source, in.readAllBytes());
        }
        Path image = dir.resolve("bios.bin");
        Process nasm = new ProcessBuilder("nasm", "-f", "bin", "-o", image.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(nasm.getInputStream().readAllBytes());
        assertEquals(0, nasm.waitFor(), output);
        return image;
    }

    private static boolean onPath(String program) {
        for (String path : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(path, program))) {
                return true;
            }
        }
        return false;
    }
}
