package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vstation.devices.net.NetworkBackend;
import org.vstation.manager.config.NicMode;

/** The runner's settings reach the backends: NAT forwards listen, host services open and close with the cable. */
class NetworkBackendsTest {

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void aNatAdaptersForwardsListenOnTheHostUntilItCloses() throws Exception {
        int port = freePort();
        NetworkBackend nat = NetworkBackends.create(NicMode.NAT, NetworkBackends.Options.defaults("fwd")
                .withNatForwards(List.of(PortForward.parse("tcp:" + port + ":22"))));
        try (Socket connected = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertTrue(connected.isConnected());
            assertEquals(port, ((NatBackend) nat).gateway().forwardAddresses().getFirst().getPort());
        } finally {
            nat.close();
        }
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "a closed adapter's forward no longer listens");
    }

    @Test
    void aForwardOfAPortInUseIsReportedWithTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            UncheckedIOException error = assertThrows(UncheckedIOException.class, () ->
                    NetworkBackends.create(NicMode.NAT, NetworkBackends.Options.defaults("busy")
                            .withNatForwards(List.of(PortForward.parse("tcp:" + port + ":80")))));
            assertTrue(error.getMessage().contains("cannot listen on 127.0.0.1:" + port
                    + " for the forward to guest port 80"), error.getMessage());
        }
    }

    @Test
    void aHostOnlyAdaptersHostServicesAreOpenWhileItIsConnected() throws Exception {
        String name = "backends-test-" + ProcessHandle.current().pid();
        HostOnlyNetwork network = HostOnlyNetwork.named(name);
        try {
            NetworkBackends.Options options = new NetworkBackends.Options("svc", null, null, name, List.of(),
                    List.of(8000, 8001), NatBackend.DEFAULT_NETWORK, NatBackend.hostResolver());
            NetworkBackend first = NetworkBackends.create(NicMode.HOST_ONLY, options);
            NetworkBackend second = NetworkBackends.create(NicMode.HOST_ONLY, options.withHostServices(List.of(8000)));
            assertTrue(network.isHostService(8000) && network.isHostService(8001));
            assertFalse(network.isHostService(8002));
            first.close();
            assertTrue(network.isHostService(8000), "the second VM still opens 8000");
            assertFalse(network.isHostService(8001));
            second.close();
            assertFalse(network.isHostService(8000));
        } finally {
            network.close();
        }
    }
}
