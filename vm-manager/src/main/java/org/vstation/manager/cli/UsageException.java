package org.vstation.manager.cli;

/** A bad command line; the message names the bad argument. Exit code 2. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
