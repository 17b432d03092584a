package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A NAT port forward of an adapter: connections to {@code hostPort} on the host's
 * {@code hostAddress} are carried to the guest's {@code guestPort}.
 */
@JsonPropertyOrder({"protocol", "hostAddress", "hostPort", "guestPort"})
public final class PortForwardConfig extends ConfigSection {
    public static final String TCP = "tcp";

    public String protocol = TCP;
    /** The host address to listen on: the loopback (the host's own programs) unless set. */
    public String hostAddress = "127.0.0.1";
    public int hostPort;
    public int guestPort;

    /** The runner's {@code --forward} text for this forward. */
    public String spec() {
        return protocol + ":" + hostAddress + ":" + hostPort + ":" + guestPort;
    }
}
