package org.vstation.manager.net;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.vstation.devices.net.NetworkBackend;
import org.vstation.manager.config.NicMode;

/**
 * Builds the host side of a VM's network adapter for a NIC mode; the runner
 * calls it at power on and again to switch a running VM's network.
 */
public final class NetworkBackends {
    private NetworkBackends() {
    }

    /**
     * Settings of the modes that need any.
     *
     * @param bridge          the host bridge a bridged adapter joins
     * @param tapName         a prepared TAP interface to use, or null to create one
     * @param hostOnlyNetwork the host-only network's name
     * @param natForwards     inbound TCP port forwards of a NAT adapter
     * @param hostServices    host loopback ports a host-only adapter opens at the host endpoint while connected
     * @param natNetwork      the NAT subnet's first address (a /24)
     * @param resolver        where the NAT DNS relay sends queries
     */
    public record Options(String vmName, String bridge, String tapName, String hostOnlyNetwork,
                          List<PortForward> natForwards, List<Integer> hostServices, String natNetwork,
                          InetSocketAddress resolver) {
        public Options {
            Objects.requireNonNull(vmName, "vmName");
            natForwards = List.copyOf(natForwards);
            hostServices = List.copyOf(hostServices);
        }

        /** NAT on 10.0.2.0/24 with the host's resolver, the default host-only network, no bridge. */
        public static Options defaults(String vmName) {
            return new Options(vmName, null, null, HostOnlyNetwork.DEFAULT_NAME, List.of(), List.of(),
                    NatBackend.DEFAULT_NETWORK, NatBackend.hostResolver());
        }

        public Options withBridge(String bridgeName) {
            return new Options(vmName, bridgeName, tapName, hostOnlyNetwork, natForwards, hostServices, natNetwork,
                    resolver);
        }

        public Options withNatForwards(List<PortForward> forwards) {
            return new Options(vmName, bridge, tapName, hostOnlyNetwork, forwards, hostServices, natNetwork, resolver);
        }

        public Options withHostServices(List<Integer> ports) {
            return new Options(vmName, bridge, tapName, hostOnlyNetwork, natForwards, ports, natNetwork, resolver);
        }
    }

    /**
     * @throws BridgedNetworkException when a bridged adapter cannot be set up
     * @throws java.io.UncheckedIOException when a NAT forward's host port cannot be listened on
     */
    public static NetworkBackend create(NicMode mode, Options options) throws BridgedNetworkException {
        return switch (mode) {
            case NAT -> new NatBackend(options.vmName(), options.natNetwork(), options.resolver(), options.natForwards());
            case HOST_ONLY -> HostOnlyNetwork.named(options.hostOnlyNetwork())
                    .connect(options.vmName(), options.hostServices());
            case BRIDGED -> {
                if (options.bridge() == null) {
                    throw new BridgedNetworkException("bridged networking needs a host bridge: pass --bridge br0 "
                            + "(a Linux bridge with the physical interface as its port)");
                }
                yield TapBackend.open(options.bridge(), options.tapName());
            }
            case NONE -> NetworkBackend.DISCONNECTED;
        };
    }

    /** For the command line's mode names: nat, hostonly, bridged, none. */
    public static NetworkBackend create(String mode, Options options) throws BridgedNetworkException {
        return create(NicMode.of(mode), options);
    }
}
