package org.vstation.manager.runner;

/** A command-line or configuration mistake the user can fix; exit code 2, one line of message. */
public class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
