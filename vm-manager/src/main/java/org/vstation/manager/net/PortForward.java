package org.vstation.manager.net;

/**
 * A TCP port the host listens on whose connections are carried to the guest
 * ({@code hostPort} on {@code bindAddress} to the guest's {@code guestPort}).
 * The only way the outside can open a connection to a NAT guest.
 */
public record PortForward(String bindAddress, int hostPort, int guestPort) {
    public PortForward {
        if (hostPort < 0 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("ports are 1-65535 (host port 0 picks a free one): "
                    + hostPort + " -> " + guestPort);
        }
    }

    /** Parses {@code HOSTPORT:GUESTPORT}, listening on the host's loopback. */
    public static PortForward parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("a port forward is HOSTPORT:GUESTPORT, got '" + text + "'");
        }
        try {
            return new PortForward("127.0.0.1", Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a port forward is HOSTPORT:GUESTPORT, got '" + text + "'");
        }
    }
}
