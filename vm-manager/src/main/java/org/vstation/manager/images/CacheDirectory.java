package org.vstation.manager.images;

import java.nio.file.Path;
import java.util.Map;

/**
 * The per-user cache outside the repository where the {@code guest-images} scripts put what they
 * download and build: {@code $VSTATION_CACHE}, else {@code ~/.cache/vstation}. The scripts use the same rule.
 */
public final class CacheDirectory {

    static final String ENVIRONMENT_VARIABLE = "VSTATION_CACHE";

    private CacheDirectory() {
    }

    public static Path ofUser() {
        return resolve(System.getenv(), System.getProperty("user.home"));
    }

    static Path resolve(Map<String, String> environment, String userHome) {
        String configured = environment.get(ENVIRONMENT_VARIABLE);
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        return Path.of(userHome, ".cache", "vstation");
    }
}
