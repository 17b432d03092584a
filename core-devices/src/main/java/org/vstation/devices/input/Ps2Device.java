package org.vstation.devices.input;

/**
 * A device on one of the 8042's PS/2 ports: it takes bytes the controller
 * sends and queues bytes for the controller to fetch, telling the controller
 * when it has something (IBM PS/2 keyboard and mouse interface technical reference).
 */
public interface Ps2Device {
    /** Connects the controller's "data available" signal. */
    void connect(Runnable dataAvailable);

    /** A byte from the controller (a command or a command's parameter). */
    void write(int value);

    boolean hasData();

    /** The next queued byte; only when {@link #hasData()}. */
    int read();
}
