package org.vstation.manager.images;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The SeaBIOS images that {@code guest-images/fetch-firmware} downloads from Debian's {@code seabios}
 * package into {@code ${VSTATION_CACHE:-~/.cache/vstation}/firmware}, checked against the sha256 sums
 * the script recorded in {@code manifest.properties} before a VM gets them.
 */
public final class FirmwareCache {

    /** The system BIOS, mapped just below 4 GiB and at 0xE0000-0xFFFFF. */
    public static final String BIOS = "bios.bin";
    /** The VGA BIOS for the standard VGA adapter with Bochs VBE extensions, the option ROM at 0xC0000. */
    public static final String VGA_BIOS = "vgabios-stdvga.bin";
    static final String MANIFEST = "manifest.properties";
    static final String FETCH_COMMAND = "./vstation fetch-firmware";

    private final Path directory;

    private FirmwareCache(Path directory) {
        this.directory = directory;
    }

    /** The cache of this user: {@code $VSTATION_CACHE/firmware}, else {@code ~/.cache/vstation/firmware}. */
    public static FirmwareCache ofUser() {
        return at(CacheDirectory.ofUser().resolve("firmware"));
    }

    public static FirmwareCache at(Path directory) {
        return new FirmwareCache(directory);
    }

    public Path directory() {
        return directory;
    }

    /**
     * Reads both images and verifies them against the manifest; the bytes returned are the bytes
     * that were checked, so a file replaced after the check never reaches a VM.
     */
    public Firmware load() throws FirmwareUnavailableException {
        Properties manifest = readManifest();
        String version = manifest.getProperty("version");
        if (version == null) {
            throw unavailable(MANIFEST + " names no package version, so the cache is damaged");
        }
        return new Firmware(version, verifiedImage(manifest, BIOS), verifiedImage(manifest, VGA_BIOS));
    }

    private Properties readManifest() throws FirmwareUnavailableException {
        Path manifestFile = directory.resolve(MANIFEST);
        Properties manifest = new Properties();
        try (Reader reader = Files.newBufferedReader(manifestFile)) {
            manifest.load(reader);
        } catch (NoSuchFileException e) {
            throw unavailable("no firmware has been fetched yet (" + manifestFile + " does not exist)");
        } catch (IOException | IllegalArgumentException e) {
            throw unavailable("cannot read " + manifestFile + ": " + e.getMessage());
        }
        return manifest;
    }

    private byte[] verifiedImage(Properties manifest, String name) throws FirmwareUnavailableException {
        String expected = manifest.getProperty("sha256." + name);
        if (expected == null) {
            throw unavailable(MANIFEST + " has no checksum for " + name);
        }
        Path file = directory.resolve(name);
        byte[] image;
        try {
            image = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw unavailable(file + " is missing");
        } catch (IOException e) {
            throw unavailable("cannot read " + file + ": " + e.getMessage());
        }
        String actual = sha256(image);
        if (!actual.equalsIgnoreCase(expected.strip())) {
            throw unavailable(file + " is corrupt (sha256 " + actual + ", the manifest expects " + expected.strip() + ")");
        }
        return image;
    }

    private FirmwareUnavailableException unavailable(String reason) {
        return new FirmwareUnavailableException(
                "The SeaBIOS firmware in " + directory + " cannot be used: " + reason
                        + ". Run " + FETCH_COMMAND + " to download it.");
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /** Verified firmware images and the version of the Debian package they came from. */
    public record Firmware(String packageVersion, byte[] bios, byte[] vgaBios) {
    }
}
