package org.vstation.manager.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vstation.devices.net.FrameReceiver;
import org.vstation.devices.net.NetworkBackend;

/**
 * A host-only network: a virtual Ethernet switch shared by the VMs of this
 * host (one per name in this process), with a host-side endpoint on it.
 *
 * <p>The switch learns which port each source MAC is behind and sends a
 * unicast frame only there; broadcasts, multicasts and unknown destinations
 * are flooded to every other port. Forwarding happens on the sender's
 * thread and never blocks: each port's receiver is a bounded queue. The
 * address table is bounded too: a guest forging source addresses fills it,
 * after which new addresses are flooded rather than learned, as a switch
 * with a full table does.
 *
 * <p>The default subnet is 192.168.56.0/24. The host endpoint is 192.168.56.1:
 * it answers ARP and ping, runs the DHCP server (pool .101-.199, no router and
 * no DNS, since nothing lies beyond), and carries TCP and UDP to the host
 * services (ports opened with {@link #forwardHostPort}, or by a VM's
 * connection for as long as it is plugged in) onto the same port of the
 * host's loopback. Nothing else is reachable: there is no route out, and
 * nothing outside reaches in.
 */
public final class HostOnlyNetwork {
    public static final String DEFAULT_NAME = "vstation-hostonly";
    public static final String DEFAULT_SUBNET = "192.168.56.0";
    public static final byte[] HOST_MAC = {0x02, 0x56, 0x53, (byte) 0xFE, 0x01, 0x01};
    private static final int LEASE_SECONDS = 86_400;
    /** Learned MAC addresses per network; far more than the VMs of one host. */
    static final int MAC_TABLE_SIZE = 4096;
    private static final Map<String, HostOnlyNetwork> NETWORKS = new ConcurrentHashMap<>();

    private final String name;
    private final int hostAddress;
    private final Map<Integer, Integer> hostServices = new ConcurrentHashMap<>();
    private final List<Port> ports = new CopyOnWriteArrayList<>();
    private final Map<Long, Port> macTable = new ConcurrentHashMap<>();
    private final UserModeGateway hostEndpoint;
    private final Port hostPort;

    /** A switch port: one VM's cable into the network (or the host endpoint's). */
    public final class Port implements NetworkBackend {
        private final String owner;
        private final List<HostService> services;
        private volatile FrameReceiver receiver = frame -> false;
        private volatile boolean closed;

        private Port(String owner, List<HostService> services) {
            this.owner = owner;
            this.services = services;
        }

        @Override
        public void transmit(byte[] frame, int length) {
            if (!closed && length >= Frames.ETHERNET_HEADER) {
                forward(this, Arrays.copyOf(frame, length));
            }
        }

        @Override
        public void attach(FrameReceiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void close() {
            closed = true;
            ports.remove(this);
            macTable.values().removeIf(port -> port == this);
            services.forEach(HostService::close);
        }

        boolean deliver(byte[] frame) {
            return !closed && receiver.offer(frame);
        }

        @Override
        public String toString() {
            return name + " port of " + owner;
        }
    }

    private HostOnlyNetwork(String name, String subnet) {
        this.name = name;
        int base = Frames.parseIp(subnet) & 0xFFFFFF00;
        this.hostAddress = base + 1;
        GatewayPolicy policy = (protocol, destination, port) ->
                destination == hostAddress && hostServices.containsKey(port)
                        ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
                        : null;
        hostEndpoint = new UserModeGateway(new GatewayConfig("hostonly-" + name, base, 24, hostAddress, 0, 0,
                base + 101, 99, LEASE_SECONDS, HOST_MAC.clone(), policy, List.of(), 0));
        hostPort = new Port("the host", List.of());
        ports.add(hostPort);
        hostPort.attach((frame) -> hostEndpoint.receiveFromGuest(frame, frame.length));
        hostEndpoint.connect(frame -> {
            forward(hostPort, frame);
            return true;
        });
    }

    /** The network called {@code name}, created on first use on the default subnet. */
    public static HostOnlyNetwork named(String name) {
        return NETWORKS.computeIfAbsent(name, n -> new HostOnlyNetwork(n, DEFAULT_SUBNET));
    }

    /** A separate network on its own /24 (for tests and a second private network); not registered by name. */
    public static HostOnlyNetwork standalone(String name, String subnet) {
        return new HostOnlyNetwork(name, subnet);
    }

    public String name() {
        return name;
    }

    /** The host endpoint's address on the network (.1). */
    public int hostAddress() {
        return hostAddress;
    }

    public UserModeGateway hostEndpoint() {
        return hostEndpoint;
    }

    /**
     * A host service: the host's loopback port reachable by every VM on this
     * network at the host endpoint's address, until closed. Opening the same
     * port twice is counted; it stays open until both are closed.
     */
    public final class HostService implements AutoCloseable {
        private final int port;
        private boolean closed;

        private HostService(int port) {
            this.port = port;
        }

        public int port() {
            return port;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                hostServices.computeIfPresent(port, (p, count) -> count == 1 ? null : count - 1);
            }
        }
    }

    /** Lets VMs reach the host's loopback TCP and UDP port {@code port} at the host endpoint's address. */
    public HostService forwardHostPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a host service port is 1-65535, got " + port);
        }
        hostServices.merge(port, 1, Integer::sum);
        return new HostService(port);
    }

    /** True while some VM or the host has {@code port} open as a host service. */
    public boolean isHostService(int port) {
        return hostServices.containsKey(port);
    }

    /** Stops the host endpoint's thread; for {@link #standalone} networks (named ones live as long as the process). */
    public void close() {
        NETWORKS.remove(name, this);
        hostEndpoint.close();
    }

    /** How many source addresses the switch has learned. */
    int learnedAddresses() {
        return macTable.size();
    }

    /** Plugs a new VM cable into the switch. */
    public Port connect(String owner) {
        return connect(owner, List.of());
    }

    /** Plugs a new VM cable into the switch, opening {@code hostServices} for as long as it stays plugged in. */
    public Port connect(String owner, List<Integer> hostServices) {
        List<HostService> opened = hostServices.stream().map(this::forwardHostPort).toList();
        Port port = new Port(owner, opened);
        ports.add(port);
        return port;
    }

    private void forward(Port from, byte[] frame) {
        long source = DhcpServer.macKey(frame, 6);
        if (!Frames.isGroup(frame, 6) && (macTable.size() < MAC_TABLE_SIZE || macTable.containsKey(source))) {
            macTable.put(source, from);
        }
        if (!Frames.isGroup(frame, 0)) {
            Port to = macTable.get(DhcpServer.macKey(frame, 0));
            if (to != null && ports.contains(to)) {
                if (to != from) {
                    to.deliver(frame);
                }
                return;
            }
        }
        for (Port port : ports) {
            if (port != from) {
                port.deliver(frame);
            }
        }
    }
}
