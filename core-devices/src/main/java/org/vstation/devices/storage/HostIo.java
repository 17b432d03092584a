package org.vstation.devices.storage;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Where a device's slow host file operations run. A machine runs them on a
 * worker thread and hands the completion back to its VM thread, so the guest
 * keeps running while the host waits for the disk; tests and benchmarks that
 * drive a device without a VM thread run them inline.
 */
public interface HostIo {
    /** Runs everything at once on the caller's thread. */
    HostIo INLINE = (operation, completion) -> completion.accept(HostIo.attempt(operation));

    /**
     * Runs {@code operation}, later calls {@code completion} on the thread
     * that owns the device with the operation's failure, or null.
     * Operations run one at a time, in the order submitted.
     */
    void submit(Operation operation, Consumer<IOException> completion);

    /** A host file operation. */
    @FunctionalInterface
    interface Operation {
        void run() throws IOException;
    }

    /** Runs {@code operation}; returns its failure or null. */
    static IOException attempt(Operation operation) {
        try {
            operation.run();
            return null;
        } catch (IOException e) {
            return e;
        }
    }
}
