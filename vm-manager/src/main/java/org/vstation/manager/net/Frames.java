package org.vstation.manager.net;

/**
 * Reading and building the Ethernet II, ARP, IPv4, ICMP, UDP and TCP headers
 * the user-mode gateways speak (RFC 826, 791, 792, 768, 793). Everything is
 * big-endian on the wire; IPv4 addresses are ints, MAC addresses byte[6].
 */
public final class Frames {
    public static final int ETHERNET_HEADER = 14;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    /** Senders pad frames to 60 bytes (64 with the FCS the adapter adds). */
    public static final int MIN_FRAME = 60;
    public static final int MTU = 1500;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    public static final int IPV4_HEADER = 20;
    public static final int UDP_HEADER = 8;
    public static final int TCP_HEADER = 20;

    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    public static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};

    private Frames() {
    }

    public static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    public static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    public static int u32(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    public static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    public static void put32(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    public static byte[] mac(byte[] frame, int at) {
        byte[] mac = new byte[6];
        System.arraycopy(frame, at, mac, 0, 6);
        return mac;
    }

    public static boolean isGroup(byte[] mac, int at) {
        return (mac[at] & 1) != 0;
    }

    public static String ipText(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }

    public static int parseIp(String text) {
        String[] parts = text.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int ip = 0;
        for (String part : parts) {
            int octet = Integer.parseInt(part);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            ip = ip << 8 | octet;
        }
        return ip;
    }

    public static String macText(byte[] mac) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            text.append(i == 0 ? "" : ":").append(String.format("%02x", mac[i] & 0xFF));
        }
        return text.toString();
    }

    /** The Internet checksum (RFC 1071) over {@code length} bytes, starting from {@code initial}. */
    public static int checksum(byte[] b, int at, int length, int initial) {
        long sum = initial;
        int i = at;
        for (; i + 1 < at + length; i += 2) {
            sum += (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
        }
        if (i < at + length) {
            sum += (b[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** The partial sum of the TCP/UDP pseudo-header (RFC 793, 768), to start {@link #checksum} with. */
    public static int pseudoHeaderSum(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
                + protocol + length;
    }

    /** A frame with room for {@code payloadLength} bytes after the Ethernet header, padded to the minimum. */
    public static byte[] ethernet(byte[] destination, byte[] source, int etherType, int payloadLength) {
        byte[] frame = new byte[Math.max(MIN_FRAME, ETHERNET_HEADER + payloadLength)];
        System.arraycopy(destination, 0, frame, 0, 6);
        System.arraycopy(source, 0, frame, 6, 6);
        put16(frame, 12, etherType);
        return frame;
    }

    /** An Ethernet + IPv4 frame whose payload (after the 20-byte header) the caller fills in. */
    public static byte[] ipv4(byte[] destinationMac, byte[] sourceMac, int source, int destination, int protocol,
                              int payloadLength, int identification) {
        byte[] frame = ethernet(destinationMac, sourceMac, ETHERTYPE_IPV4, IPV4_HEADER + payloadLength);
        int ip = ETHERNET_HEADER;
        frame[ip] = 0x45;
        put16(frame, ip + 2, IPV4_HEADER + payloadLength);
        put16(frame, ip + 4, identification);
        put16(frame, ip + 6, 0x4000); // don't fragment
        frame[ip + 8] = 64;
        frame[ip + 9] = (byte) protocol;
        put32(frame, ip + 12, source);
        put32(frame, ip + 16, destination);
        put16(frame, ip + 10, checksum(frame, ip, IPV4_HEADER, 0));
        return frame;
    }

    public static byte[] udp(byte[] destinationMac, byte[] sourceMac, int source, int sourcePort,
                             int destination, int destinationPort, byte[] data, int offset, int length) {
        byte[] frame = ipv4(destinationMac, sourceMac, source, destination, PROTOCOL_UDP, UDP_HEADER + length, 0);
        int udp = ETHERNET_HEADER + IPV4_HEADER;
        put16(frame, udp, sourcePort);
        put16(frame, udp + 2, destinationPort);
        put16(frame, udp + 4, UDP_HEADER + length);
        System.arraycopy(data, offset, frame, udp + UDP_HEADER, length);
        int sum = checksum(frame, udp, UDP_HEADER + length,
                pseudoHeaderSum(source, destination, PROTOCOL_UDP, UDP_HEADER + length));
        put16(frame, udp + 6, sum == 0 ? 0xFFFF : sum);
        return frame;
    }

    /** A TCP segment; {@code mss} > 0 adds the maximum-segment-size option (SYN segments). */
    public static byte[] tcp(byte[] destinationMac, byte[] sourceMac, int source, int sourcePort,
                             int destination, int destinationPort, int sequence, int acknowledgment, int flags,
                             int window, int mss, byte[] data, int offset, int length) {
        int headerLength = TCP_HEADER + (mss > 0 ? 4 : 0);
        byte[] frame = ipv4(destinationMac, sourceMac, source, destination, PROTOCOL_TCP, headerLength + length, 0);
        int tcp = ETHERNET_HEADER + IPV4_HEADER;
        put16(frame, tcp, sourcePort);
        put16(frame, tcp + 2, destinationPort);
        put32(frame, tcp + 4, sequence);
        put32(frame, tcp + 8, acknowledgment);
        frame[tcp + 12] = (byte) ((headerLength / 4) << 4);
        frame[tcp + 13] = (byte) flags;
        put16(frame, tcp + 14, window);
        if (mss > 0) {
            frame[tcp + 20] = 2;
            frame[tcp + 21] = 4;
            put16(frame, tcp + 22, mss);
        }
        if (length > 0) {
            System.arraycopy(data, offset, frame, tcp + headerLength, length);
        }
        put16(frame, tcp + 16, checksum(frame, tcp, headerLength + length,
                pseudoHeaderSum(source, destination, PROTOCOL_TCP, headerLength + length)));
        return frame;
    }
}
