package org.vstation.manager.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vstation.devices.net.FrameReceiver;
import org.vstation.devices.net.NetworkBackend;

/**
 * NAT: the guest sits alone on a private subnet behind a user-mode gateway
 * and reaches the world through ordinary sockets of this process, so it
 * needs no privileges. The default subnet is QEMU's, 10.0.2.0/24:
 * <ul>
 *   <li>10.0.2.2, the gateway: answers ARP and ping; TCP and UDP to it reach
 *       the host's own loopback (127.0.0.1), so a guest can use a server the
 *       host runs on localhost;</li>
 *   <li>10.0.2.3, the DNS relay: UDP and TCP port 53 go to the host's
 *       resolver (the first IPv4 nameserver in /etc/resolv.conf);</li>
 *   <li>10.0.2.15-10.0.2.30, the DHCP pool (the guest normally gets .15);</li>
 *   <li>any other address outside the subnet: TCP and UDP are carried to it
 *       from the host's sockets; a ping is answered when the host reaches it
 *       ({@link java.net.InetAddress#isReachable}).</li>
 * </ul>
 * Nothing outside can open a connection to the guest except through a
 * {@link PortForward} (host port to a guest port on the first pool address).
 */
public final class NatBackend implements NetworkBackend {
    public static final String DEFAULT_NETWORK = "10.0.2.0";
    public static final byte[] GATEWAY_MAC = {0x02, 0x56, 0x53, (byte) 0xFE, 0x00, 0x02};
    private static final int LEASE_SECONDS = 86_400;

    private final UserModeGateway gateway;

    /**
     * @param network   the /24 subnet's first address (gateway .2, DNS .3, guests from .15)
     * @param resolver  where DNS queries to .3 go
     * @param forwards  inbound TCP forwards to the guest
     */
    public NatBackend(String name, String network, InetSocketAddress resolver, List<PortForward> forwards) {
        int base = Frames.parseIp(network) & 0xFFFFFF00;
        int gatewayAddress = base + 2;
        int dnsAddress = base + 3;
        int firstGuest = base + 15;
        GatewayPolicy policy = (protocol, destination, port) -> {
            if (destination == gatewayAddress) {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            }
            if (destination == dnsAddress) {
                return port == 53 ? resolver : null;
            }
            if ((destination & 0xFFFFFF00) == base || isSpecial(destination)) {
                return null;
            }
            return new InetSocketAddress(toInetAddress(destination), port);
        };
        gateway = new UserModeGateway(new GatewayConfig(name, base, 24, gatewayAddress, dnsAddress, gatewayAddress,
                firstGuest, 16, LEASE_SECONDS, GATEWAY_MAC.clone(), policy, List.copyOf(forwards), firstGuest));
    }

    /** NAT on 10.0.2.0/24 with the host's resolver and no forwards. */
    public NatBackend(String name) {
        this(name, DEFAULT_NETWORK, hostResolver(), List.of());
    }

    /** 0.0.0.0/8, loopback, link-local, multicast and reserved: never carried out of the VM. */
    private static boolean isSpecial(int address) {
        int first = address >>> 24;
        return first == 0 || first == 127 || (address >>> 16) == 0xA9FE || first >= 224;
    }

    private static InetAddress toInetAddress(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /**
     * The first IPv4 nameserver in /etc/resolv.conf, port 53; the host's
     * loopback if there is none (a local caching resolver is the usual case then).
     */
    public static InetSocketAddress hostResolver() {
        return hostResolver(Path.of("/etc/resolv.conf"));
    }

    static InetSocketAddress hostResolver(Path resolvConf) {
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver") && words[1].matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
                    return new InetSocketAddress(toInetAddress(Frames.parseIp(words[1])), 53);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // no usable resolv.conf: fall back to the loopback resolver below
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);
    }

    public UserModeGateway gateway() {
        return gateway;
    }

    @Override
    public void transmit(byte[] frame, int length) {
        gateway.receiveFromGuest(frame, length);
    }

    @Override
    public void attach(FrameReceiver receiver) {
        gateway.connect(receiver::offer);
    }

    @Override
    public void close() {
        gateway.close();
    }
}
