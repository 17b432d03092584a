package org.vstation.manager.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Debian i386 live CD that {@code guest-images/build-debian-live} builds into
 * {@code ${VSTATION_CACHE:-~/.cache/vstation}/images}: the guest of the ready-made demo VM. The
 * script's stamp records the ISO's sha256, so a truncated or overwritten image is not handed out.
 */
public final class LiveCdImage {

    static final String FILE_NAME = "debian-live-i386.iso";
    static final String STAMP_SUFFIX = ".stamp";
    static final String BUILD_COMMAND = "guest-images/build-debian-live";

    private final Path iso;

    private LiveCdImage(Path iso) {
        this.iso = iso;
    }

    /** The live CD in this user's cache. */
    public static LiveCdImage ofUser() {
        return in(CacheDirectory.ofUser().resolve("images"));
    }

    /** The live CD in a directory laid out as build-debian-live leaves it. */
    public static LiveCdImage in(Path imagesDirectory) {
        return new LiveCdImage(imagesDirectory.resolve(FILE_NAME));
    }

    public Path path() {
        return iso;
    }

    /** The ISO's path once its content is checked against the sha256 the build recorded. */
    public Path verified() throws GuestImageUnavailableException {
        Path stamp = iso.resolveSibling(FILE_NAME + STAMP_SUFFIX);
        String expected;
        try {
            List<String> lines = Files.readAllLines(stamp);
            expected = lines.stream().filter(line -> line.startsWith("iso ")).map(line -> line.substring(4).strip())
                    .findFirst().orElseThrow(() -> unavailable(stamp + " records no checksum of the ISO"));
        } catch (NoSuchFileException e) {
            throw unavailable("the live CD has not been built yet (" + stamp + " does not exist)");
        } catch (IOException e) {
            throw unavailable("cannot read " + stamp + ": " + e.getMessage());
        }
        String actual;
        try {
            actual = FirmwareCache.sha256(Files.readAllBytes(iso));
        } catch (NoSuchFileException e) {
            throw unavailable(iso + " is missing");
        } catch (IOException e) {
            throw unavailable("cannot read " + iso + ": " + e.getMessage());
        }
        if (!actual.equalsIgnoreCase(expected)) {
            throw unavailable(iso + " is damaged (sha256 " + actual + ", its build recorded " + expected + ")");
        }
        return iso;
    }

    private GuestImageUnavailableException unavailable(String reason) {
        return new GuestImageUnavailableException(
                "The Debian live CD cannot be used: " + reason + ". Run " + BUILD_COMMAND + " to build it.");
    }
}
