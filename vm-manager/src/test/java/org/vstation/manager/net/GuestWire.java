package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.Frames.u8;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.vstation.devices.net.NetworkBackend;

/**
 * The guest's end of a virtual cable in tests: sends hand-built frames into a
 * backend and waits for the frames it sends back, checking their checksums.
 */
final class GuestWire {
    final NetworkBackend backend;
    final byte[] mac;
    int address;
    final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    GuestWire(NetworkBackend backend, byte[] mac, int address) {
        this.backend = backend;
        this.mac = mac;
        this.address = address;
        backend.attach(received::offer);
    }

    void send(byte[] frame) {
        backend.transmit(frame, frame.length);
    }

    /** The next frame that matches, within a few seconds; others are discarded. */
    byte[] expect(String what, Predicate<byte[]> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            byte[] frame = received.poll(50, TimeUnit.MILLISECONDS);
            if (frame != null && match.test(frame)) {
                return frame;
            }
        }
        throw new AssertionError("no frame arrived: " + what);
    }

    /** Nothing matching arrives within {@code millis}. */
    boolean nothing(Predicate<byte[]> match, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            byte[] frame = received.poll(10, TimeUnit.MILLISECONDS);
            if (frame != null && match.test(frame)) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv4(byte[] f, int protocol) {
        return f.length >= 34 && u16(f, 12) == Frames.ETHERTYPE_IPV4 && u8(f, 23) == protocol;
    }

    /** Checks the IPv4 header checksum and the transport checksum, by an independent summation. */
    static void assertChecksumsValid(byte[] f) {
        int ipLength = u16(f, 16);
        assertEquals(0xFFFF, onesComplementSum(f, 14, 20, 0), "IPv4 header checksum");
        int protocol = u8(f, 23);
        int transport = 34;
        int length = ipLength - 20;
        if (protocol == Frames.PROTOCOL_ICMP) {
            assertEquals(0xFFFF, onesComplementSum(f, transport, length, 0), "ICMP checksum");
            return;
        }
        long pseudo = (u32(f, 26) >>> 16) + (u32(f, 26) & 0xFFFF) + (u32(f, 30) >>> 16) + (u32(f, 30) & 0xFFFF)
                + protocol + length;
        assertEquals(0xFFFF, onesComplementSum(f, transport, length, pseudo), "transport checksum");
    }

    private static int onesComplementSum(byte[] b, int at, int length, long initial) {
        long sum = initial;
        for (int i = 0; i < length; i++) {
            sum += (i % 2 == 0 ? (b[at + i] & 0xFF) << 8 : b[at + i] & 0xFF);
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    static int tcpFlags(byte[] f) {
        return u8(f, 34 + 13);
    }

    static int tcpSequence(byte[] f) {
        return u32(f, 34 + 4);
    }

    static int tcpAck(byte[] f) {
        return u32(f, 34 + 8);
    }

    static int tcpSourcePort(byte[] f) {
        return u16(f, 34);
    }

    static int tcpDestinationPort(byte[] f) {
        return u16(f, 36);
    }

    static byte[] tcpPayload(byte[] f) {
        int ipLength = u16(f, 16);
        int headerLength = (u8(f, 34 + 12) >>> 4) * 4;
        byte[] data = new byte[ipLength - 20 - headerLength];
        System.arraycopy(f, 34 + headerLength, data, 0, data.length);
        return data;
    }

    static byte[] udpPayload(byte[] f) {
        int length = u16(f, 34 + 4) - 8;
        byte[] data = new byte[length];
        System.arraycopy(f, 42, data, 0, length);
        return data;
    }

    byte[] tcpTo(byte[] gatewayMac, int destination, int sourcePort, int destinationPort, int seq, int ack, int flags,
                 byte[] data) {
        assertNotNull(gatewayMac);
        return Frames.tcp(gatewayMac, mac, address, sourcePort, destination, destinationPort, seq, ack, flags,
                65535, (flags & Frames.TCP_SYN) != 0 ? 1460 : 0, data, 0, data == null ? 0 : data.length);
    }

    byte[] udpTo(byte[] gatewayMac, int destination, int sourcePort, int destinationPort, byte[] data) {
        return Frames.udp(gatewayMac, mac, address, sourcePort, destination, destinationPort, data, 0, data.length);
    }
}
