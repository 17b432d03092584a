package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.NatBackendTest.dhcpMessage;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The DHCP server on its own: pool, stickiness, release, refusals and broken messages. */
class DhcpServerTest {
    private static final int SERVER = Frames.parseIp("10.1.0.1");
    private final DhcpServer server = new DhcpServer(SERVER, 0xFFFFFF00, SERVER, 0, Frames.parseIp("10.1.0.100"), 2, 600);

    private static byte[] mac(int last) {
        return new byte[] {0x02, 0x56, 0x53, 0, 0, (byte) last};
    }

    private int offer(int last) {
        byte[] m = dhcpMessage(mac(last), DhcpServer.DISCOVER, 0, 0, 0, last);
        DhcpServer.Reply reply = server.handle(m, 0, m.length);
        return reply == null ? 0 : u32(reply.payload(), 16);
    }

    private static int type(DhcpServer.Reply reply) {
        byte[] p = reply.payload();
        for (int at = 240; at < p.length && (p[at] & 0xFF) != 255; at += 2 + (p[at + 1] & 0xFF)) {
            if (p[at] == 53) {
                return p[at + 2];
            }
        }
        return -1;
    }

    @Test
    void addressesStayWithTheirClientAndThePoolEnds() {
        int first = offer(1);
        assertEquals(Frames.parseIp("10.1.0.100"), first);
        assertEquals(first, offer(1), "the same client gets the same address");
        assertEquals(Frames.parseIp("10.1.0.101"), offer(2));
        assertEquals(0, offer(3), "pool exhausted: no offer");
        byte[] release = dhcpMessage(mac(1), DhcpServer.RELEASE, first, 0, 0, 9);
        assertNull(server.handle(release, 0, release.length));
        assertEquals(first, offer(3), "a released address is reused");
    }

    @Test
    void requestsForOtherServersOrForeignAddressesAreRefused() {
        int address = offer(1);
        byte[] other = dhcpMessage(mac(1), DhcpServer.REQUEST, 0, address, Frames.parseIp("10.1.0.254"), 5);
        assertNull(server.handle(other, 0, other.length), "the client chose another server");
        byte[] foreign = dhcpMessage(mac(1), DhcpServer.REQUEST, 0, Frames.parseIp("192.0.2.1"), 0, 6);
        DhcpServer.Reply nak = server.handle(foreign, 0, foreign.length);
        assertNotNull(nak);
        assertEquals(DhcpServer.NAK, type(nak));
        assertEquals(0xFFFFFFFF, nak.destination(), "a NAK is broadcast");
    }

    @Test
    void informGetsParametersWithoutAnAddress() {
        int client = Frames.parseIp("10.1.0.50");
        byte[] inform = dhcpMessage(mac(4), DhcpServer.INFORM, client, 0, 0, 7);
        DhcpServer.Reply ack = server.handle(inform, 0, inform.length);
        assertEquals(DhcpServer.ACK, type(ack));
        assertEquals(0, u32(ack.payload(), 16), "no yiaddr");
        assertEquals(client, ack.destination(), "unicast to ciaddr");
    }

    @Test
    void brokenMessagesAreIgnored() {
        byte[] good = dhcpMessage(mac(1), DhcpServer.DISCOVER, 0, 0, 0, 1);
        assertNull(server.handle(good, 0, 100), "too short");
        byte[] badCookie = good.clone();
        badCookie[236] = 0;
        assertNull(server.handle(badCookie, 0, badCookie.length));
        byte[] runaway = good.clone();
        Arrays.fill(runaway, 240, runaway.length, (byte) 0);
        runaway[240] = 53;
        runaway[241] = (byte) 200; // an option longer than the message
        assertNull(server.handle(runaway, 0, runaway.length));
        byte[] reply = good.clone();
        reply[0] = 2; // BOOTREPLY from a client
        assertNull(server.handle(reply, 0, reply.length));
    }
}
