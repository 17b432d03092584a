package org.vstation.devices.net;

/**
 * The host side of a virtual network adapter: NAT, host-only switch, bridged
 * TAP, or nothing. Backends run their own threads; the adapter never waits
 * for them.
 */
public interface NetworkBackend extends AutoCloseable {
    /**
     * One Ethernet frame the guest transmitted (destination MAC first, no
     * FCS). Called on the VM thread; must not block: a backend that cannot
     * keep up drops the frame, as a congested link would.
     */
    void transmit(byte[] frame, int length);

    /**
     * Connects the receive path. The backend calls {@link FrameReceiver#offer}
     * from any of its threads for each frame meant for the guest.
     */
    void attach(FrameReceiver receiver);

    /** Stops the backend's threads and releases host resources (sockets, TAP device). */
    @Override
    void close();

    /** A cable to nowhere: transmitted frames vanish, nothing arrives. */
    NetworkBackend DISCONNECTED = new NetworkBackend() {
        @Override public void transmit(byte[] frame, int length) { }
        @Override public void attach(FrameReceiver receiver) { }
        @Override public void close() { }
    };
}
