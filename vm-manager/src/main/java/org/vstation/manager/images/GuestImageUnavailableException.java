package org.vstation.manager.images;

/** A guest image from the cache is missing or damaged; the message tells the user how to rebuild it. */
public final class GuestImageUnavailableException extends Exception {

    public GuestImageUnavailableException(String message) {
        super(message);
    }
}
