package org.vstation.manager.net;

/**
 * A TCP port the host listens on whose connections are carried to the guest
 * ({@code hostPort} on {@code bindAddress} to the guest's {@code guestPort}).
 * The only way the outside can open a connection to a NAT guest.
 */
public record PortForward(String bindAddress, int hostPort, int guestPort) {
    /** Where a forward listens unless told otherwise: only programs on the host itself reach it. */
    public static final String LOOPBACK = "127.0.0.1";
    private static final String SYNTAX = "a port forward is tcp:HOSTPORT:GUESTPORT or tcp:ADDRESS:HOSTPORT:GUESTPORT";

    public PortForward {
        if (hostPort < 0 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("ports are 1-65535 (host port 0 picks a free one): "
                    + hostPort + " -> " + guestPort);
        }
        if (!isIpv4(bindAddress)) {
            throw new IllegalArgumentException("a forward listens on an IPv4 address like 127.0.0.1 or 0.0.0.0, got '"
                    + bindAddress + "'");
        }
    }

    /**
     * Parses the command line's form: {@code tcp:HOSTPORT:GUESTPORT} listens on the host's
     * loopback, {@code tcp:ADDRESS:HOSTPORT:GUESTPORT} on ADDRESS (0.0.0.0 for every interface).
     */
    public static PortForward parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length < 3 || parts.length > 4) {
            throw new IllegalArgumentException(SYNTAX + ", got '" + text + "'");
        }
        if (!parts[0].equals("tcp")) {
            throw new IllegalArgumentException("only TCP ports are forwarded ('" + parts[0] + "' in '" + text + "'); "
                    + SYNTAX);
        }
        String address = parts.length == 4 ? parts[1] : LOOPBACK;
        int hostPort = port(parts[parts.length - 2], text);
        int guestPort = port(parts[parts.length - 1], text);
        return new PortForward(address, hostPort, guestPort);
    }

    /** The text {@link #parse} reads back. */
    public String spec() {
        return "tcp:" + (bindAddress.equals(LOOPBACK) ? "" : bindAddress + ":") + hostPort + ":" + guestPort;
    }

    private static int port(String text, String whole) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the whole forward
        }
        throw new IllegalArgumentException("'" + text + "' is not a port 1-65535 in '" + whole + "'; " + SYNTAX);
    }

    private static boolean isIpv4(String address) {
        if (address == null || !address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        for (String octet : address.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
