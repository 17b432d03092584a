package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.GuestWire.*;
import static org.vstation.manager.net.NatBackendTest.arpRequest;
import static org.vstation.manager.net.NatBackendTest.dhcpFrame;
import static org.vstation.manager.net.NatBackendTest.dhcpMessage;
import static org.vstation.manager.net.NatBackendTest.isArpReplyFrom;
import static org.vstation.manager.net.NatBackendTest.isDhcpReply;
import static org.vstation.manager.net.NatBackendTest.option32;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two VM ports and the host endpoint on one host-only switch. */
class HostOnlyNetworkTest {
    static final byte[] MAC_A = {0x02, 0x56, 0x53, 0x00, 0x0A, 0x01};
    static final byte[] MAC_B = {0x02, 0x56, 0x53, 0x00, 0x0B, 0x01};
    static final int HOST = Frames.parseIp("192.168.77.1");

    private final HostOnlyNetwork network = HostOnlyNetwork.standalone("test", "192.168.77.0");

    @AfterEach
    void closeNetwork() {
        network.close();
    }

    private static byte[] ethernetTo(byte[] destination, byte[] source, String text) {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        byte[] f = Frames.ethernet(destination, source, 0x88B5, payload.length); // local experimental ethertype
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    private static boolean carries(byte[] f, String text) {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        return u16(f, 12) == 0x88B5 && Arrays.equals(f, 14, 14 + payload.length, payload, 0, payload.length);
    }

    @Test
    void switchFloodsUnknownAndBroadcastAndLearnsUnicast() throws Exception {
        GuestWire a = new GuestWire(network.connect("a"), MAC_A, 0);
        GuestWire b = new GuestWire(network.connect("b"), MAC_B, 0);
        GuestWire c = new GuestWire(network.connect("c"), new byte[] {0x02, 0x56, 0x53, 0, 0x0C, 1}, 0);

        a.send(ethernetTo(Frames.BROADCAST_MAC, MAC_A, "hello all"));
        b.expect("broadcast at b", f -> carries(f, "hello all"));
        c.expect("broadcast at c", f -> carries(f, "hello all"));
        assertTrue(a.nothing(f -> carries(f, "hello all"), 100), "not back to the sender");

        a.send(ethernetTo(MAC_B, MAC_A, "unknown b")); // b has not spoken yet: flooded
        b.expect("flooded unicast at b", f -> carries(f, "unknown b"));
        c.expect("flooded unicast at c", f -> carries(f, "unknown b"));

        b.send(ethernetTo(MAC_A, MAC_B, "reply to a")); // now both are learned
        a.expect("learned unicast at a", f -> carries(f, "reply to a"));
        assertTrue(c.nothing(f -> carries(f, "reply to a"), 100), "c does not see a's unicast once learned");
        a.send(ethernetTo(MAC_B, MAC_A, "to b only"));
        b.expect("learned unicast at b", f -> carries(f, "to b only"));
        assertTrue(c.nothing(f -> carries(f, "to b only"), 100));
    }

    @Test
    void vmsGetLeasesWithoutARouterAndPingEachOtherAndTheHost() throws Exception {
        GuestWire a = new GuestWire(network.connect("a"), MAC_A, 0);
        GuestWire b = new GuestWire(network.connect("b"), MAC_B, 0);
        int[] addresses = new int[2];
        GuestWire[] guests = {a, b};
        for (int i = 0; i < 2; i++) {
            GuestWire g = guests[i];
            int xid = 0x500 + i;
            g.send(dhcpFrame(g.mac, dhcpMessage(g.mac, DhcpServer.DISCOVER, 0, 0, 0, xid), 0, -1, Frames.BROADCAST_MAC));
            byte[] offer = g.expect("OFFER", f -> isDhcpReply(f, xid) && Arrays.equals(f, 42 + 28, 42 + 34, g.mac, 0, 6));
            assertEquals(-1, option32(offer, 3), "no router: nothing lies beyond the host");
            int offered = u32(offer, 42 + 16);
            g.send(dhcpFrame(g.mac, dhcpMessage(g.mac, DhcpServer.REQUEST, 0, offered, HOST, xid + 16), 0, -1,
                    Frames.BROADCAST_MAC));
            byte[] ack = g.expect("ACK", f -> isDhcpReply(f, xid + 16) && Arrays.equals(f, 42 + 28, 42 + 34, g.mac, 0, 6));
            assertEquals(DhcpServer.ACK, option32(ack, 53));
            addresses[i] = offered;
            g.address = offered;
        }
        assertEquals(Frames.parseIp("192.168.77.101"), addresses[0]);
        assertEquals(Frames.parseIp("192.168.77.102"), addresses[1]);

        a.send(arpRequest(MAC_A, addresses[0], addresses[1]));
        byte[] who = b.expect("a's ARP request reaches b", f -> u16(f, 12) == Frames.ETHERTYPE_ARP && u32(f, 38) == addresses[1]);
        assertArrayEquals(MAC_A, Frames.mac(who, 6));

        a.send(arpRequest(MAC_A, addresses[0], HOST));
        byte[] hostArp = a.expect("the host answers ARP", f -> isArpReplyFrom(f, HOST));
        assertArrayEquals(HostOnlyNetwork.HOST_MAC, Frames.mac(hostArp, 22));
        byte[] echo = Frames.ipv4(HostOnlyNetwork.HOST_MAC, MAC_A, addresses[0], HOST, Frames.PROTOCOL_ICMP, 8, 1);
        echo[34] = 8;
        Frames.put16(echo, 36, Frames.checksum(echo, 34, 8, 0));
        a.send(echo);
        a.expect("the host answers ping", f -> isIpv4(f, Frames.PROTOCOL_ICMP) && f[34] == 0 && u32(f, 26) == HOST);
    }

    @Test
    void theHostsLoopbackIsReachableOnlyThroughForwardedPorts() throws Exception {
        GuestWire a = new GuestWire(network.connect("a"), MAC_A, Frames.parseIp("192.168.77.101"));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            a.send(arpRequest(MAC_A, a.address, HOST));
            a.expect("ARP", f -> isArpReplyFrom(f, HOST));
            a.send(a.tcpTo(HostOnlyNetwork.HOST_MAC, HOST, 41_000, port, 1, 0, Frames.TCP_SYN, null));
            a.expect("refused: not forwarded", f -> isIpv4(f, 6) && (tcpFlags(f) & Frames.TCP_RST) != 0);

            network.forwardHostPort(port);
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    return new String(in.readNBytes(2), StandardCharsets.US_ASCII);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            a.send(a.tcpTo(HostOnlyNetwork.HOST_MAC, HOST, 41_001, port, 100, 0, Frames.TCP_SYN, null));
            byte[] synAck = a.expect("SYN-ACK", f -> isIpv4(f, 6) && tcpFlags(f) == (Frames.TCP_SYN | Frames.TCP_ACK));
            int seq = tcpSequence(synAck) + 1;
            a.send(a.tcpTo(HostOnlyNetwork.HOST_MAC, HOST, 41_001, port, 101, seq, Frames.TCP_ACK,
                    "hi".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("hi", served.get(5, TimeUnit.SECONDS));
        }
        int outside = Frames.parseIp("93.184.216.34");
        a.send(a.tcpTo(HostOnlyNetwork.HOST_MAC, outside, 41_002, 80, 1, 0, Frames.TCP_SYN, null));
        a.expect("no route out", f -> isIpv4(f, 6) && (tcpFlags(f) & Frames.TCP_RST) != 0 && u32(f, 26) == outside);
    }

    @Test
    void aHostServiceIsCountedAndClosesWithItsLastHolder() throws Exception {
        HostOnlyNetwork.HostService first = network.forwardHostPort(8080);
        HostOnlyNetwork.HostService second = network.forwardHostPort(8080);
        first.close();
        first.close();
        assertTrue(network.isHostService(8080), "a second close of one holder does not close the other's");
        second.close();
        assertFalse(network.isHostService(8080));
    }

    @Test
    void aVmsCableOpensItsHostServicesUntilUnplugged() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            HostOnlyNetwork.Port cable = network.connect("a", java.util.List.of(port));
            GuestWire a = new GuestWire(cable, MAC_A, Frames.parseIp("192.168.77.101"));
            a.send(arpRequest(MAC_A, a.address, HOST));
            a.expect("ARP", f -> isArpReplyFrom(f, HOST));
            a.send(a.tcpTo(HostOnlyNetwork.HOST_MAC, HOST, 41_010, port, 1, 0, Frames.TCP_SYN, null));
            a.expect("the service the cable opened", f -> isIpv4(f, 6) && tcpFlags(f) == (Frames.TCP_SYN | Frames.TCP_ACK));
            cable.close();
            assertFalse(network.isHostService(port));

            GuestWire b = new GuestWire(network.connect("b"), MAC_B, Frames.parseIp("192.168.77.102"));
            b.send(arpRequest(MAC_B, b.address, HOST));
            b.expect("ARP", f -> isArpReplyFrom(f, HOST));
            b.send(b.tcpTo(HostOnlyNetwork.HOST_MAC, HOST, 41_011, port, 1, 0, Frames.TCP_SYN, null));
            b.expect("refused once unplugged", f -> isIpv4(f, 6) && (tcpFlags(f) & Frames.TCP_RST) != 0);
        }
    }

    @Test
    void fuzzedAndForgedFramesNeverOverflowTheSwitchOrStopTheHostEndpoint() throws Exception {
        int addressA = Frames.parseIp("192.168.77.101");
        GuestWire a = new GuestWire(network.connect("a"), MAC_A, addressA);
        GuestWire b = new GuestWire(network.connect("b"), MAC_B, 0);
        b.send(ethernetTo(MAC_A, MAC_B, "b is here"));
        a.expect("b learned", f -> carries(f, "b is here"));

        java.util.Random random = new java.util.Random(56);
        byte[] echo = Frames.ipv4(HostOnlyNetwork.HOST_MAC, MAC_A, addressA, HOST, Frames.PROTOCOL_ICMP, 8, 1);
        for (int i = 0; i < 3 * HostOnlyNetwork.MAC_TABLE_SIZE; i++) {
            byte[] frame;
            if (i % 2 == 0) { // random bytes from a forged unicast source, to anyone
                frame = new byte[random.nextInt(200)];
                random.nextBytes(frame);
            } else { // an IPv4 frame to the host endpoint with a few bits flipped, from a forged source
                frame = echo.clone();
                for (int k = 0; k < 3; k++) {
                    frame[14 + random.nextInt(frame.length - 14)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            if (frame.length >= 12) {
                frame[6] &= (byte) 0xFE;
            }
            a.send(frame);
            if (i % 200 == 0) {
                Thread.sleep(2); // let the host endpoint's bounded queue drain
            }
        }
        assertTrue(network.learnedAddresses() <= HostOnlyNetwork.MAC_TABLE_SIZE, "the address table stays bounded");

        a.received.clear();
        b.received.clear();
        a.send(ethernetTo(MAC_B, MAC_A, "still switched"));
        b.expect("a's unicast still reaches b", f -> carries(f, "still switched"));
        echo[34] = 8;
        Frames.put16(echo, 40, 77);
        Frames.put16(echo, 36, Frames.checksum(echo, 34, 8, 0));
        boolean answered = false;
        for (int attempt = 0; attempt < 6 && !answered; attempt++) { // a loaded host may still be draining
            a.send(echo);
            answered = !a.nothing(f -> isIpv4(f, Frames.PROTOCOL_ICMP) && f[34] == 0 && u16(f, 40) == 77, 3000);
        }
        assertTrue(answered, "the host endpoint still answers ping");
        assertTrue(network.hostEndpoint().malformedFrames() > 0, "the broken frames were seen and dropped");
    }

    @Test
    void separateNetworksNeverSeeEachOthersFrames() throws Exception {
        HostOnlyNetwork other = HostOnlyNetwork.standalone("other", "192.168.78.0");
        GuestWire a = new GuestWire(network.connect("a"), MAC_A, 0);
        GuestWire b = new GuestWire(other.connect("b"), MAC_B, 0);
        a.send(ethernetTo(Frames.BROADCAST_MAC, MAC_A, "private"));
        assertTrue(b.nothing(f -> carries(f, "private"), 200));
        other.close();
        assertTrue(HostOnlyNetwork.named("x") == HostOnlyNetwork.named("x"), "one switch per name");
    }
}
