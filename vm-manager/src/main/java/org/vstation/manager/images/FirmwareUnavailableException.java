package org.vstation.manager.images;

/** The firmware cache is missing or damaged; the message tells the user how to fetch it again. */
public final class FirmwareUnavailableException extends Exception {

    public FirmwareUnavailableException(String message) {
        super(message);
    }
}
