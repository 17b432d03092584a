package org.vstation.devices.bus;

/** Two devices were placed over the same addresses: a wiring error, named in full. */
public class BusConflictException extends IllegalStateException {
    public BusConflictException(String message) {
        super(message);
    }
}
