package org.vstation.manager.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveCdImageTest {

    private static final byte[] ISO_CONTENT = "CD001 live image stand-in".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path images;

    private void writeBuild(byte[] iso, String recordedSha256) throws Exception {
        Files.write(images.resolve("debian-live-i386.iso"), iso);
        Files.writeString(images.resolve("debian-live-i386.iso.stamp"),
                "inputs 5f1c0ffee\niso " + recordedSha256 + "\n");
    }

    @Test
    void anImageMatchingItsStampIsHandedOut() throws Exception {
        writeBuild(ISO_CONTENT, FirmwareCache.sha256(ISO_CONTENT));

        assertEquals(images.resolve("debian-live-i386.iso"), LiveCdImage.in(images).verified());
    }

    @Test
    void aDamagedImageIsRefused() throws Exception {
        byte[] truncated = Arrays.copyOf(ISO_CONTENT, ISO_CONTENT.length - 1);
        writeBuild(truncated, FirmwareCache.sha256(ISO_CONTENT));

        GuestImageUnavailableException e = assertThrows(GuestImageUnavailableException.class,
                () -> LiveCdImage.in(images).verified());

        assertTrue(e.getMessage().contains("is damaged"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Run guest-images/build-debian-live to build it."), e.getMessage());
    }

    @Test
    void anUnbuiltImageSaysHowToBuildIt() {
        GuestImageUnavailableException e = assertThrows(GuestImageUnavailableException.class,
                () -> LiveCdImage.in(images).verified());

        assertTrue(e.getMessage().contains("has not been built yet"), e.getMessage());
    }

    @Test
    void aStampWithoutTheImageNamesTheMissingFile() throws Exception {
        writeBuild(ISO_CONTENT, FirmwareCache.sha256(ISO_CONTENT));
        Files.delete(images.resolve("debian-live-i386.iso"));

        GuestImageUnavailableException e = assertThrows(GuestImageUnavailableException.class,
                () -> LiveCdImage.in(images).verified());

        assertTrue(e.getMessage().contains("debian-live-i386.iso is missing"), e.getMessage());
    }
}
