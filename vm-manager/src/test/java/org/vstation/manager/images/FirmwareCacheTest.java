package org.vstation.manager.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirmwareCacheTest {

    private static final byte[] BIOS_IMAGE = {0x55, (byte) 0xAA, 0x10, 0x20, (byte) 0xEA};
    private static final byte[] VGA_IMAGE = {0x55, (byte) 0xAA, 0x40, 0x00};

    @TempDir
    Path cache;

    /** Lays out the cache the way fetch-firmware does, with the manifest describing the given images. */
    private void writeCache(byte[] bios, byte[] vga, String manifestBios, String manifestVga) throws IOException {
        Files.write(cache.resolve(FirmwareCache.BIOS), bios);
        Files.write(cache.resolve(FirmwareCache.VGA_BIOS), vga);
        Files.writeString(cache.resolve(FirmwareCache.MANIFEST), """
                # Written by guest-images/fetch-firmware
                package=seabios
                version=1.16.2-1
                sha256.bios.bin=%s
                sha256.vgabios-stdvga.bin=%s
                """.formatted(manifestBios, manifestVga));
    }

    @Test
    void loadsImagesThatMatchTheManifest() throws Exception {
        writeCache(BIOS_IMAGE, VGA_IMAGE, FirmwareCache.sha256(BIOS_IMAGE), FirmwareCache.sha256(VGA_IMAGE));

        FirmwareCache.Firmware firmware = FirmwareCache.at(cache).load();

        assertEquals("1.16.2-1", firmware.packageVersion());
        assertArrayEquals(BIOS_IMAGE, firmware.bios());
        assertArrayEquals(VGA_IMAGE, firmware.vgaBios());
    }

    @Test
    void sha256IsTheStandardDigest() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                FirmwareCache.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anEmptyCacheTellsTheUserToFetch() {
        FirmwareUnavailableException e = assertThrows(FirmwareUnavailableException.class,
                () -> FirmwareCache.at(cache.resolve("firmware")).load());

        assertTrue(e.getMessage().contains("no firmware has been fetched yet"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Run ./vstation fetch-firmware to download it."), e.getMessage());
    }

    @Test
    void aCorruptImageIsRefused() throws Exception {
        byte[] damaged = BIOS_IMAGE.clone();
        damaged[2] ^= 1;
        writeCache(damaged, VGA_IMAGE, FirmwareCache.sha256(BIOS_IMAGE), FirmwareCache.sha256(VGA_IMAGE));

        FirmwareUnavailableException e = assertThrows(FirmwareUnavailableException.class,
                () -> FirmwareCache.at(cache).load());

        assertTrue(e.getMessage().contains("bios.bin is corrupt"), e.getMessage());
        assertTrue(e.getMessage().contains("./vstation fetch-firmware"), e.getMessage());
    }

    @Test
    void aMissingImageIsNamed() throws Exception {
        writeCache(BIOS_IMAGE, VGA_IMAGE, FirmwareCache.sha256(BIOS_IMAGE), FirmwareCache.sha256(VGA_IMAGE));
        Files.delete(cache.resolve(FirmwareCache.VGA_BIOS));

        FirmwareUnavailableException e = assertThrows(FirmwareUnavailableException.class,
                () -> FirmwareCache.at(cache).load());

        assertTrue(e.getMessage().contains("vgabios-stdvga.bin is missing"), e.getMessage());
    }

    @Test
    void aManifestWithoutAChecksumIsRefused() throws Exception {
        writeCache(BIOS_IMAGE, VGA_IMAGE, FirmwareCache.sha256(BIOS_IMAGE), FirmwareCache.sha256(VGA_IMAGE));
        Files.writeString(cache.resolve(FirmwareCache.MANIFEST), "package=seabios\nversion=1.16.2-1\n");

        FirmwareUnavailableException e = assertThrows(FirmwareUnavailableException.class,
                () -> FirmwareCache.at(cache).load());

        assertTrue(e.getMessage().contains("has no checksum for bios.bin"), e.getMessage());
    }

    @Test
    void theCacheFollowsVstationCacheElseTheHomeDirectory() {
        assertEquals(Path.of("/srv/vs"), CacheDirectory.resolve(Map.of("VSTATION_CACHE", "/srv/vs"), "/home/ada"));
        assertEquals(Path.of("/home/ada/.cache/vstation"), CacheDirectory.resolve(Map.of(), "/home/ada"));
        assertEquals(Path.of("/home/ada/.cache/vstation"),
                CacheDirectory.resolve(Map.of("VSTATION_CACHE", ""), "/home/ada"));
    }
}
