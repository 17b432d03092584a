package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.GuestWire.isIpv4;
import static org.vstation.manager.net.NatBackendTest.arpRequest;
import static org.vstation.manager.net.NatBackendTest.isArpReplyFrom;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bridged adapter on a bridge with a peer, all inside network namespaces
 * this test creates (root only): the host's own interfaces are never touched.
 */
class TapBackendTest {
    private static final byte[] GUEST_MAC = {0x02, 0x56, 0x53, 0x00, 0x0D, 0x01};
    private static final int GUEST = Frames.parseIp("192.168.99.1");
    private static final int PEER = Frames.parseIp(BridgeNamespaces.PEER_ADDRESS);

    private static BridgeNamespaces namespaces;

    @BeforeAll
    static void createNamespaces() throws Exception {
        assumeTrue(BridgeNamespaces.available(),
                "needs root, the ip tool and /dev/net/tun (bridged test runs in CI as root)");
        namespaces = BridgeNamespaces.create("t" + ProcessHandle.current().pid());
    }

    @AfterAll
    static void deleteNamespaces() throws Exception {
        if (namespaces != null) {
            namespaces.close();
        }
    }

    @Test
    void guestTalksToAPeerOnTheSameBridge() throws Exception {
        TapBackend tap = namespaces.inBridgeNamespace(() -> TapBackend.open("br0", null));
        try {
            GuestWire guest = new GuestWire(tap, GUEST_MAC, GUEST);
            byte[] reply = null;
            for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
                guest.send(arpRequest(GUEST_MAC, GUEST, PEER)); // the bridge port may still be learning
                try {
                    reply = guest.expect("the peer's ARP reply", f -> isArpReplyFrom(f, PEER));
                } catch (AssertionError e) {
                    reply = null;
                }
            }
            assertTrue(reply != null, "the peer answered ARP through the bridge");
            assertTrue(reply.length >= Frames.MIN_FRAME, "the peer's 42-byte ARP reply arrives padded to 60 bytes"
                    + " (a NIC drops shorter frames as runts): " + reply.length);
            byte[] peerMac = Frames.mac(reply, 22);
            byte[] echo = Frames.ipv4(peerMac, GUEST_MAC, GUEST, PEER, Frames.PROTOCOL_ICMP, 8 + 4, 1);
            echo[34] = 8;
            Frames.put16(echo, 40, 3);
            Frames.put16(echo, 36, Frames.checksum(echo, 34, 12, 0));
            guest.send(echo);
            byte[] pong = guest.expect("echo reply from the peer",
                    f -> isIpv4(f, Frames.PROTOCOL_ICMP) && f[34] == 0 && u32(f, 26) == PEER);
            assertEquals(3, u16(pong, 40));
        } finally {
            tap.close();
        }
    }

    @Test
    void missingBridgeIsAClearError() throws Exception {
        BridgedNetworkException missing = assertThrows(BridgedNetworkException.class,
                () -> namespaces.inBridgeNamespace(() -> TapBackend.open("nobridge0", null)));
        assertTrue(missing.getMessage().contains("ip link add nobridge0 type bridge"), missing.getMessage());
        BridgedNetworkException notBridge = assertThrows(BridgedNetworkException.class,
                () -> namespaces.inBridgeNamespace(() -> TapBackend.open("plain0", null)));
        assertTrue(notBridge.getMessage().contains("not a bridge"), notBridge.getMessage());
        assertTrue(List.of(missing, notBridge).stream().noneMatch(e -> e.getMessage().contains("errno")));
    }
}
