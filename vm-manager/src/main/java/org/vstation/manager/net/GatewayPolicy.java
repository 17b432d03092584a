package org.vstation.manager.net;

import java.net.InetSocketAddress;

/**
 * Where a user-mode gateway may take a guest's connection on the host: NAT
 * maps almost anything, a host-only endpoint only its forwarded ports.
 */
@FunctionalInterface
public interface GatewayPolicy {
    /**
     * The host socket address for a guest flow to {@code destination}:{@code port}
     * over {@code protocol} ({@link Frames#PROTOCOL_TCP}, {@link Frames#PROTOCOL_UDP}, or
     * {@link Frames#PROTOCOL_ICMP} with port 0 for echo to the outside), or null to
     * refuse it (TCP gets a reset, UDP and ICMP are dropped).
     */
    InetSocketAddress hostEndpoint(int protocol, int destination, int port);
}
