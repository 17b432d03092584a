package org.vstation.manager.images;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the guest tests boot, or an aborted test (not a failure) on a machine that has not built it:
 * the live CD from {@code ./vstation build-guest} and SeaBIOS from {@code ./vstation fetch-firmware}.
 */
public final class GuestImagesForTests {
    private GuestImagesForTests() {
    }

    /** The verified live CD. */
    public static Path liveCdOrAbort() {
        try {
            return LiveCdImage.ofUser().verified();
        } catch (GuestImageUnavailableException e) {
            assumeTrue(false, "no live CD (./vstation build-guest): " + e.getMessage());
            throw new IllegalStateException("unreachable");
        }
    }

    /** SeaBIOS from the firmware cache. */
    public static Path seaBiosOrAbort() {
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        assumeTrue(Files.isRegularFile(bios), "no SeaBIOS (./vstation fetch-firmware)");
        return bios;
    }
}
