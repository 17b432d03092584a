package org.vstation.manager.library;

/** Something the user asked of the library that cannot be done as asked; the message says why and what to do. */
public class LibraryException extends Exception {

    public LibraryException(String message) {
        super(message);
    }
}
