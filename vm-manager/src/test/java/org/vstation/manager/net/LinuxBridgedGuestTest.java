package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 Done-when 4 with the real guest: the live CD's 8139too on a TAP
 * port of a bridge in a network namespace this test creates (root only),
 * exchanging traffic both ways with a peer namespace on the same bridge.
 */
@Tag("slow")
class LinuxBridgedGuestTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(40);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    private static final String GUEST_ADDRESS = "192.168.99.1";

    private BridgeNamespaces namespaces;
    private HttpServer peerHttp;
    private GuestShell guest;

    @AfterEach
    void stop() throws Exception {
        if (guest != null) {
            guest.close();
        }
        if (peerHttp != null) {
            peerHttp.stop(0);
        }
        if (namespaces != null) {
            namespaces.close();
        }
    }

    @Test
    void theGuestTalksBothWaysWithAPeerOnTheBridge() throws Exception {
        assumeTrue(BridgeNamespaces.available(), "needs root, the ip tool and /dev/net/tun");
        Path iso = GuestShell.liveCd();
        assumeTrue(iso != null, "no live CD or SeaBIOS in the cache (guest-images/build-debian-live, fetch-firmware)");
        namespaces = BridgeNamespaces.create("l" + ProcessHandle.current().pid());
        // The peer's web server: its listening socket is created, so lives, in the peer's namespace.
        peerHttp = namespaces.inPeerNamespace(() ->
                HttpServer.create(new InetSocketAddress(BridgeNamespaces.PEER_ADDRESS, 0), 0));
        peerHttp.createContext("/", exchange -> {
            byte[] body = "served-by-the-peer\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        peerHttp.start();

        guest = GuestShell.build("bridged-guest", iso, "02:56:53:00:12:0a");
        TapBackend tap = namespaces.inBridgeNamespace(() -> TapBackend.open("br0", null));
        guest.machine().switchNetwork(tap);
        guest.machine().start();
        guest.await("# ", BOOT_TIMEOUT);

        // Guest -> peer: ping (the peer's kernel answers) and HTTP.
        guest.type("ip link set eth0 up && ip addr add " + GUEST_ADDRESS + "/24 dev eth0"
                + " && for i in 1 2 3 4 5; do ping -c 1 -W 3 " + BridgeNamespaces.PEER_ADDRESS
                + " && break; done && echo PEER-PING-$((40+2))");
        guest.await("PEER-PING-42", COMMAND_TIMEOUT);
        guest.type("wget -q -O - http://" + BridgeNamespaces.PEER_ADDRESS + ":" + peerHttp.getAddress().getPort() + "/");
        guest.await("served-by-the-peer", COMMAND_TIMEOUT);

        // Peer -> guest: the peer connects to the guest's nc and both send a line.
        guest.type("echo from-the-guest-$((6*7)) | nc -l -p 7000");
        assertEquals("from-the-guest-42", namespaces.inPeerNamespace(LinuxBridgedGuestTest::peerConnectsToTheGuest));
        guest.await("from-the-peer-42", COMMAND_TIMEOUT);
        assertNull(guest.machine().errorMessage(), "the VM kept running");
    }

    /** In the peer's namespace: connects to port 7000 of the guest (retrying until nc listens) and trades lines. */
    private static String peerConnectsToTheGuest() throws Exception {
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (true) {
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(GUEST_ADDRESS, 7000))) {
                channel.write(ByteBuffer.wrap("from-the-peer-42\n".getBytes(StandardCharsets.US_ASCII)));
                StringBuilder line = new StringBuilder();
                ByteBuffer buffer = ByteBuffer.allocate(256);
                while (line.indexOf("\n") < 0 && channel.read(buffer) > 0) {
                    line.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
                    buffer.clear();
                }
                if (line.indexOf("\n") >= 0) {
                    return line.substring(0, line.indexOf("\n"));
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(1000);
        }
    }
}
