package org.vstation.devices.storage;

import java.nio.file.Path;

/** A disk or ISO image that cannot be used, with a reason a user understands. */
public final class ImageException extends Exception {
    /** What is wrong with the file. */
    public enum Reason {
        MISSING, UNREADABLE, NOT_WRITABLE, IN_USE, TRUNCATED, NOT_ISO, ALREADY_EXISTS, INVALID_SIZE
    }

    private final Reason reason;
    private final Path path;

    public ImageException(Reason reason, Path path, String message) {
        super(path + ": " + message);
        this.reason = reason;
        this.path = path;
    }

    public ImageException(Reason reason, Path path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.reason = reason;
        this.path = path;
    }

    public Reason reason() {
        return reason;
    }

    public Path path() {
        return path;
    }
}
