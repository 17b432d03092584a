package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.manager.net.Frames.TCP_ACK;
import static org.vstation.manager.net.Frames.TCP_FIN;
import static org.vstation.manager.net.Frames.TCP_RST;
import static org.vstation.manager.net.Frames.TCP_SYN;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.GuestWire.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Speaks raw Ethernet frames to the NAT gateway, with servers on the host's loopback. */
class NatBackendTest {
    static final byte[] GUEST_MAC = {0x02, 0x56, 0x53, 0x00, 0x00, 0x01};
    static final byte[] GW = NatBackend.GATEWAY_MAC;
    static final int GATEWAY = Frames.parseIp("10.0.2.2");
    static final int DNS = Frames.parseIp("10.0.2.3");
    static final int GUEST = Frames.parseIp("10.0.2.15");

    private DatagramSocket fakeResolver;
    private NatBackend nat;
    private GuestWire guest;

    @BeforeEach
    void setUp() throws Exception {
        fakeResolver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        nat = new NatBackend("test", "10.0.2.0",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), fakeResolver.getLocalPort()),
                List.of(new PortForward("127.0.0.1", 0, 8080)));
        guest = new GuestWire(nat, GUEST_MAC, GUEST);
    }

    @AfterEach
    void tearDown() {
        nat.close();
        fakeResolver.close();
    }

    // ---- DHCP -----------------------------------------------------------------------------------

    static byte[] dhcpMessage(byte[] mac, int type, int clientAddress, int requested, int serverId, int xid) {
        byte[] m = new byte[300];
        m[0] = 1;
        m[1] = 1;
        m[2] = 6;
        Frames.put32(m, 4, xid);
        Frames.put32(m, 12, clientAddress);
        System.arraycopy(mac, 0, m, 28, 6);
        Frames.put32(m, 236, 0x63825363);
        int at = 240;
        m[at++] = 53; m[at++] = 1; m[at++] = (byte) type;
        if (requested != 0) { m[at++] = 50; m[at++] = 4; Frames.put32(m, at, requested); at += 4; }
        if (serverId != 0) { m[at++] = 54; m[at++] = 4; Frames.put32(m, at, serverId); at += 4; }
        m[at] = (byte) 255;
        return m;
    }

    static byte[] dhcpFrame(byte[] mac, byte[] message, int source, int destination, byte[] destinationMac) {
        return Frames.udp(destinationMac, mac, source, 68, destination, 67, message, 0, message.length);
    }

    /** The value of a 4-byte option in a DHCP reply frame, or -1. */
    static long option32(byte[] frame, int code) {
        int at = 42 + 240;
        while (at < frame.length && (frame[at] & 0xFF) != 255) {
            int c = frame[at] & 0xFF;
            if (c == 0) { at++; continue; }
            int size = frame[at + 1] & 0xFF;
            if (c == code) return size == 4 ? Integer.toUnsignedLong(u32(frame, at + 2)) : frame[at + 2] & 0xFF;
            at += 2 + size;
        }
        return -1;
    }

    static boolean isDhcpReply(byte[] f, int xid) {
        return isIpv4(f, Frames.PROTOCOL_UDP) && u16(f, 36) == 68 && u32(f, 42 + 4) == xid;
    }

    @Test
    void dhcpHandsOutALeaseWithRouterAndDnsAndRenewsIt() throws Exception {
        guest.address = 0;
        guest.send(dhcpFrame(GUEST_MAC, dhcpMessage(GUEST_MAC, DhcpServer.DISCOVER, 0, 0, 0, 0x1234), 0, -1,
                Frames.BROADCAST_MAC));
        byte[] offer = guest.expect("OFFER", f -> isDhcpReply(f, 0x1234));
        assertChecksumsValid(offer);
        assertEquals(DhcpServer.OFFER, option32(offer, 53));
        int offered = u32(offer, 42 + 16);
        assertEquals(GUEST, offered);
        assertEquals(Integer.toUnsignedLong(GATEWAY), option32(offer, 3), "router");
        assertEquals(Integer.toUnsignedLong(DNS), option32(offer, 6), "DNS");
        assertEquals(0xFFFFFF00L, option32(offer, 1), "netmask");
        assertTrue(option32(offer, 51) > 0, "lease time");

        guest.send(dhcpFrame(GUEST_MAC, dhcpMessage(GUEST_MAC, DhcpServer.REQUEST, 0, offered, GATEWAY, 0x1235), 0, -1,
                Frames.BROADCAST_MAC));
        byte[] ack = guest.expect("ACK", f -> isDhcpReply(f, 0x1235));
        assertEquals(DhcpServer.ACK, option32(ack, 53));
        assertEquals(GUEST, u32(ack, 42 + 16));
        assertEquals(GUEST, nat.gateway().leaseOf(GUEST_MAC));

        // Renewing (RFC 2131 4.3.2): unicast, ciaddr filled, no server id or requested address.
        guest.address = GUEST;
        guest.send(dhcpFrame(GUEST_MAC, dhcpMessage(GUEST_MAC, DhcpServer.REQUEST, GUEST, 0, 0, 0x1236), GUEST, GATEWAY,
                GW));
        byte[] renewed = guest.expect("renewal ACK", f -> isDhcpReply(f, 0x1236));
        assertEquals(DhcpServer.ACK, option32(renewed, 53));
        assertEquals(GUEST, u32(renewed, 30), "unicast to the client's address");
        assertArrayEquals(GUEST_MAC, Frames.mac(renewed, 0));

        byte[] otherMac = {0x02, 0x56, 0x53, 0, 0, 2};
        guest.send(dhcpFrame(otherMac, dhcpMessage(otherMac, DhcpServer.REQUEST, 0, GUEST, GATEWAY, 0x1237), 0, -1,
                Frames.BROADCAST_MAC));
        byte[] nak = guest.expect("NAK for a taken address", f -> isDhcpReply(f, 0x1237));
        assertEquals(DhcpServer.NAK, option32(nak, 53));
    }

    // ---- ARP and ICMP ----------------------------------------------------------------------------

    static byte[] arpRequest(byte[] mac, int sender, int target) {
        byte[] f = Frames.ethernet(Frames.BROADCAST_MAC, mac, Frames.ETHERTYPE_ARP, 28);
        Frames.put16(f, 14, 1);
        Frames.put16(f, 16, 0x0800);
        f[18] = 6;
        f[19] = 4;
        Frames.put16(f, 20, 1);
        System.arraycopy(mac, 0, f, 22, 6);
        Frames.put32(f, 28, sender);
        Frames.put32(f, 38, target);
        return f;
    }

    static boolean isArpReplyFrom(byte[] f, int address) {
        return u16(f, 12) == Frames.ETHERTYPE_ARP && u16(f, 20) == 2 && u32(f, 28) == address;
    }

    @Test
    void arpAnswersForTheGatewayAndDnsOnly() throws Exception {
        guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
        byte[] reply = guest.expect("ARP reply", f -> isArpReplyFrom(f, GATEWAY));
        assertArrayEquals(GW, Frames.mac(reply, 22));
        assertArrayEquals(GUEST_MAC, Frames.mac(reply, 0));
        guest.send(arpRequest(GUEST_MAC, GUEST, DNS));
        guest.expect("ARP reply for DNS", f -> isArpReplyFrom(f, DNS));
        int stranger = Frames.parseIp("10.0.2.99");
        guest.send(arpRequest(GUEST_MAC, GUEST, stranger));
        assertTrue(guest.nothing(f -> isArpReplyFrom(f, stranger), 300));
    }

    static byte[] ping(byte[] mac, int source, int destination, int sequence, byte[] payload) {
        byte[] f = Frames.ipv4(GW, mac, source, destination, Frames.PROTOCOL_ICMP, 8 + payload.length, 1);
        f[34] = 8;
        Frames.put16(f, 38, 0x42);
        Frames.put16(f, 40, sequence);
        System.arraycopy(payload, 0, f, 42, payload.length);
        Frames.put16(f, 36, Frames.checksum(f, 34, 8 + payload.length, 0));
        return f;
    }

    @Test
    void pingToTheGatewayIsAnswered() throws Exception {
        byte[] payload = "abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        guest.send(ping(GUEST_MAC, GUEST, GATEWAY, 7, payload));
        byte[] reply = guest.expect("echo reply", f -> isIpv4(f, Frames.PROTOCOL_ICMP) && f[34] == 0);
        assertChecksumsValid(reply);
        assertEquals(GATEWAY, u32(reply, 26));
        assertEquals(7, u16(reply, 40));
        byte[] echoed = new byte[payload.length];
        System.arraycopy(reply, 42, echoed, 0, payload.length);
        assertArrayEquals(payload, echoed);
    }

    // ---- TCP ------------------------------------------------------------------------------------

    @Test
    void tcpToTheGatewayReachesAHostLoopbackServerBothWaysAndCloses() throws Exception {
        byte[] response = new byte[200_000];
        new Random(5).nextBytes(response);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> serverSaw = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] request = in.readNBytes(5);
                    OutputStream out = s.getOutputStream();
                    out.write(response);
                    s.shutdownOutput();
                    int eof = in.read(); // the guest's FIN
                    return eof == -1 ? request : null;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            int port = server.getLocalPort();
            int guestPort = 33_000;
            guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
            guest.send(guest.tcpTo(GW, GATEWAY, guestPort, port, 1000, 0, TCP_SYN, null));
            byte[] synAck = guest.expect("SYN-ACK", f -> isIpv4(f, 6) && (tcpFlags(f) & TCP_SYN) != 0);
            assertChecksumsValid(synAck);
            assertEquals(TCP_SYN | TCP_ACK, tcpFlags(synAck));
            assertEquals(1001, tcpAck(synAck));
            assertEquals(port, tcpSourcePort(synAck));
            int peerSeq = tcpSequence(synAck) + 1;
            guest.send(guest.tcpTo(GW, GATEWAY, guestPort, port, 1001, peerSeq, TCP_ACK, null));
            guest.send(guest.tcpTo(GW, GATEWAY, guestPort, port, 1001, peerSeq, TCP_ACK | Frames.TCP_PSH,
                    "hello".getBytes(StandardCharsets.US_ASCII)));

            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int expectSeq = peerSeq;
            boolean fin = false;
            while (!fin) {
                byte[] f = guest.expect("data or FIN", g -> isIpv4(g, 6) && tcpDestinationPort(g) == guestPort);
                assertChecksumsValid(f);
                assertEquals(0, tcpFlags(f) & TCP_RST, "no reset");
                byte[] data = tcpPayload(f);
                if (tcpSequence(f) == expectSeq) {
                    got.write(data);
                    expectSeq += data.length;
                    if ((tcpFlags(f) & TCP_FIN) != 0) {
                        fin = true;
                        expectSeq++;
                    }
                }
                if (data.length > 0 || fin) {
                    guest.send(guest.tcpTo(GW, GATEWAY, guestPort, port, 1006, expectSeq, TCP_ACK, null));
                }
            }
            assertArrayEquals(response, got.toByteArray(), "the host's data arrived whole and in order");
            guest.send(guest.tcpTo(GW, GATEWAY, guestPort, port, 1006, expectSeq, TCP_FIN | TCP_ACK, null));
            byte[] finAck = guest.expect("ACK of our FIN", f -> isIpv4(f, 6) && tcpAck(f) == 1007);
            assertEquals(TCP_ACK, tcpFlags(finAck) & (TCP_ACK | TCP_RST));
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), serverSaw.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void guestResetAbortsTheHostConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> serverSawReset = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    return s.getInputStream().read() == -1;
                } catch (java.net.SocketException e) {
                    return true; // "Connection reset"
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            int port = server.getLocalPort();
            guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
            guest.send(guest.tcpTo(GW, GATEWAY, 33_001, port, 5000, 0, TCP_SYN, null));
            byte[] synAck = guest.expect("SYN-ACK", f -> isIpv4(f, 6) && (tcpFlags(f) & TCP_SYN) != 0);
            guest.send(guest.tcpTo(GW, GATEWAY, 33_001, port, 5001, tcpSequence(synAck) + 1, TCP_ACK, null));
            guest.send(guest.tcpTo(GW, GATEWAY, 33_001, port, 5001, 0, TCP_RST, null));
            assertTrue(serverSawReset.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void connectionToAClosedPortIsReset() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
        guest.send(guest.tcpTo(GW, GATEWAY, 33_002, closedPort, 9000, 0, TCP_SYN, null));
        byte[] reset = guest.expect("RST", f -> isIpv4(f, 6) && (tcpFlags(f) & TCP_RST) != 0);
        assertEquals(9001, tcpAck(reset));
    }

    @Test
    void connectionsToTheSubnetOrNowhereAreRefused() throws Exception {
        guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
        guest.send(guest.tcpTo(GW, Frames.parseIp("10.0.2.77"), 33_003, 80, 1, 0, TCP_SYN, null));
        guest.expect("RST for a subnet address", f -> isIpv4(f, 6) && (tcpFlags(f) & TCP_RST) != 0);
        guest.send(guest.tcpTo(GW, GATEWAY, 33_004, 80, 1, 77, TCP_ACK, null));
        byte[] stray = guest.expect("RST for a stray ACK", f -> isIpv4(f, 6) && (tcpFlags(f) & TCP_RST) != 0
                && tcpDestinationPort(f) == 33_004);
        assertEquals(77, tcpSequence(stray));
    }

    @Test
    void portForwardCarriesAHostConnectionToTheGuest() throws Exception {
        guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY)); // the guest is on the wire
        guest.expect("ARP reply", f -> isArpReplyFrom(f, GATEWAY));
        InetSocketAddress listening = nat.gateway().forwardAddresses().getFirst();
        try (Socket client = new Socket(listening.getAddress(), listening.getPort())) {
            byte[] syn = guest.expect("SYN to the guest", f -> isIpv4(f, 6) && tcpFlags(f) == TCP_SYN);
            assertEquals(8080, tcpDestinationPort(syn));
            int gatewayPort = tcpSourcePort(syn);
            int seq = tcpSequence(syn) + 1;
            guest.send(guest.tcpTo(GW, GATEWAY, 8080, gatewayPort, 700, seq, TCP_SYN | TCP_ACK, null));
            guest.expect("ACK of the SYN-ACK", f -> isIpv4(f, 6) && tcpAck(f) == 701);
            client.getOutputStream().write("GET /".getBytes(StandardCharsets.US_ASCII));
            byte[] data = guest.expect("forwarded data", f -> isIpv4(f, 6) && tcpPayload(f).length > 0);
            assertArrayEquals("GET /".getBytes(StandardCharsets.US_ASCII), tcpPayload(data));
            guest.send(guest.tcpTo(GW, GATEWAY, 8080, gatewayPort, 701, seq + 5, TCP_ACK | Frames.TCP_PSH,
                    "200".getBytes(StandardCharsets.US_ASCII)));
            client.setSoTimeout(5000);
            assertArrayEquals("200".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readNBytes(3));
        }
    }

    // ---- UDP and DNS ----------------------------------------------------------------------------

    @Test
    void udpEchoThroughTheGateway() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
                    echo.receive(p);
                    echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] message = "ping over udp".getBytes(StandardCharsets.US_ASCII);
            guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
            guest.send(guest.udpTo(GW, GATEWAY, 40_000, echo.getLocalPort(), message));
            byte[] reply = guest.expect("UDP echo", f -> isIpv4(f, Frames.PROTOCOL_UDP) && u16(f, 36) == 40_000);
            assertChecksumsValid(reply);
            assertEquals(GATEWAY, u32(reply, 26));
            assertEquals(echo.getLocalPort(), u16(reply, 34));
            assertArrayEquals(message, udpPayload(reply));
        }
    }

    @Test
    void dnsQueriesToTheRelayReachTheHostResolver() throws Exception {
        byte[] query = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
        CompletableFuture<byte[]> resolverSaw = CompletableFuture.supplyAsync(() -> {
            try {
                DatagramPacket p = new DatagramPacket(new byte[512], 512);
                fakeResolver.receive(p);
                byte[] answer = java.util.Arrays.copyOf(p.getData(), p.getLength());
                answer[2] = (byte) 0x81; // QR: a response
                fakeResolver.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                return java.util.Arrays.copyOf(p.getData(), p.getLength());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        guest.send(arpRequest(GUEST_MAC, GUEST, DNS));
        guest.send(guest.udpTo(GW, DNS, 45_000, 53, query));
        byte[] reply = guest.expect("DNS answer", f -> isIpv4(f, Frames.PROTOCOL_UDP) && u16(f, 36) == 45_000);
        assertArrayEquals(query, resolverSaw.get(5, TimeUnit.SECONDS));
        assertEquals(DNS, u32(reply, 26), "the answer comes from the relay's address");
        assertEquals(53, u16(reply, 34));
        assertEquals((byte) 0x81, udpPayload(reply)[2]);
    }

    // ---- malformed input --------------------------------------------------------------------------

    @Test
    void fuzzedFramesAreDroppedAndTheGatewayKeepsWorking() throws Exception {
        Random random = new Random(11);
        byte[] valid = guest.tcpTo(GW, GATEWAY, 33_005, 1, 1, 0, TCP_SYN, new byte[40]);
        for (int i = 0; i < 5000; i++) {
            byte[] frame;
            switch (i % 5) {
                case 0 -> { // random bytes of random length
                    frame = new byte[random.nextInt(120)];
                    random.nextBytes(frame);
                }
                case 1 -> { // a valid frame cut short
                    frame = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
                }
                case 2 -> { // a valid frame with bytes flipped (lengths, header length, flags)
                    frame = valid.clone();
                    for (int k = 0; k < 3; k++) {
                        frame[14 + random.nextInt(frame.length - 14)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 3 -> { // IP fragments
                    frame = ping(GUEST_MAC, GUEST, GATEWAY, i, new byte[32]);
                    Frames.put16(frame, 20, 0x2000 | random.nextInt(4));
                    Frames.put16(frame, 24, 0);
                    Frames.put16(frame, 24, Frames.checksum(frame, 14, 20, 0));
                }
                default -> { // every TCP flag combination, with a valid checksum
                    frame = guest.tcpTo(GW, GATEWAY, 20_000 + random.nextInt(50), 9, random.nextInt(), random.nextInt(),
                            random.nextInt(64), new byte[random.nextInt(3)]);
                }
            }
            guest.send(frame);
            if (i % 100 == 0) {
                Thread.sleep(2); // let the bounded queue drain; the flood itself is another test's matter
            }
        }
        guest.received.clear();
        boolean answered = false;
        for (int attempt = 0; attempt < 6 && !answered; attempt++) { // a loaded host may still be draining the flood
            guest.send(ping(GUEST_MAC, GUEST, GATEWAY, 99, new byte[8]));
            answered = !guest.nothing(f -> isIpv4(f, Frames.PROTOCOL_ICMP) && u16(f, 40) == 99, 5000);
        }
        assertTrue(answered, "the gateway still answers");
        assertTrue(nat.gateway().malformedFrames() > 0);
        assertTrue(nat.gateway().fragmentsDropped() > 0);
    }

    @Test
    void resolvConfIsReadForTheHostResolver(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("resolv.conf");
        java.nio.file.Files.writeString(conf, "# comment\nsearch example\nnameserver fe80::1\nnameserver 192.0.2.53\n");
        assertEquals(new InetSocketAddress("192.0.2.53", 53), NatBackend.hostResolver(conf));
    }
}
