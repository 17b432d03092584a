package org.vstation.manager.net;

import static org.vstation.manager.net.Frames.put16;
import static org.vstation.manager.net.Frames.put32;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.Frames.u8;

import java.util.HashMap;
import java.util.Map;

/**
 * A DHCP server for one virtual subnet (RFC 2131, options from RFC 2132):
 * DISCOVER/OFFER, REQUEST/ACK or NAK (selecting, renewing, rebinding and
 * init-reboot), RELEASE, and INFORM. Addresses come from a small pool and
 * stay with the client's hardware address, so a guest that asks again (or
 * reboots) gets the same one. Not thread-safe: the gateway thread owns it.
 */
public final class DhcpServer {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;

    static final int BOOTREQUEST = 1;
    static final int BOOTREPLY = 2;
    static final int MAGIC_COOKIE = 0x63825363;
    static final int OPTIONS_OFFSET = 240;
    static final int FIXED_LENGTH = 236;
    static final int FLAG_BROADCAST = 0x8000;

    static final int OPTION_PAD = 0;
    static final int OPTION_SUBNET_MASK = 1;
    static final int OPTION_ROUTER = 3;
    static final int OPTION_DNS = 6;
    static final int OPTION_BROADCAST = 28;
    static final int OPTION_REQUESTED_IP = 50;
    static final int OPTION_LEASE_TIME = 51;
    static final int OPTION_MESSAGE_TYPE = 53;
    static final int OPTION_SERVER_ID = 54;
    static final int OPTION_RENEWAL_TIME = 58;
    static final int OPTION_REBINDING_TIME = 59;
    static final int OPTION_END = 255;

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    /** What to send back: the DHCP payload and where (a unicast address, or broadcast when 0xFFFFFFFF). */
    public record Reply(byte[] payload, int destination, byte[] destinationMac) { }

    private final int serverAddress;
    private final int subnetMask;
    private final int router;
    private final int dns;
    private final int firstAddress;
    private final int poolSize;
    private final int leaseSeconds;
    private final Map<Long, Integer> leases = new HashMap<>();

    /**
     * @param router 0 for none (a host-only network has no way out)
     * @param dns    0 for none
     */
    public DhcpServer(int serverAddress, int subnetMask, int router, int dns, int firstAddress, int poolSize,
                      int leaseSeconds) {
        this.serverAddress = serverAddress;
        this.subnetMask = subnetMask;
        this.router = router;
        this.dns = dns;
        this.firstAddress = firstAddress;
        this.poolSize = poolSize;
        this.leaseSeconds = leaseSeconds;
    }

    /** The address leased to {@code mac}, or 0. */
    public int leaseOf(byte[] mac) {
        return leases.getOrDefault(macKey(mac, 0), 0);
    }

    /** Handles one message from UDP port 68; null when there is nothing to answer or it is malformed. */
    public Reply handle(byte[] message, int offset, int length) {
        if (length < OPTIONS_OFFSET || u8(message, offset) != BOOTREQUEST || u8(message, offset + 1) != 1
                || u8(message, offset + 2) != 6 || u32(message, offset + FIXED_LENGTH) != MAGIC_COOKIE) {
            return null;
        }
        int type = 0;
        int requested = 0;
        int serverId = 0;
        int at = offset + OPTIONS_OFFSET;
        int end = offset + length;
        while (at < end) {
            int code = u8(message, at);
            if (code == OPTION_END) {
                break;
            }
            if (code == OPTION_PAD) {
                at++;
                continue;
            }
            if (at + 1 >= end || at + 2 + u8(message, at + 1) > end) {
                return null; // an option runs past the end
            }
            int size = u8(message, at + 1);
            if (code == OPTION_MESSAGE_TYPE && size == 1) type = u8(message, at + 2);
            if (code == OPTION_REQUESTED_IP && size == 4) requested = u32(message, at + 2);
            if (code == OPTION_SERVER_ID && size == 4) serverId = u32(message, at + 2);
            at += 2 + size;
        }
        byte[] mac = Frames.mac(message, offset + 28);
        long client = macKey(mac, 0);
        int clientAddress = u32(message, offset + 12);
        return switch (type) {
            case DISCOVER -> {
                int address = allocate(client, requested);
                yield address == 0 ? null : reply(message, offset, OFFER, address, mac);
            }
            case REQUEST -> {
                if (serverId != 0 && serverId != serverAddress) {
                    yield null; // the client took another server's offer
                }
                int wanted = requested != 0 ? requested : clientAddress;
                Integer leased = leases.get(client);
                if (leased == null && inPool(wanted) && !leases.containsValue(wanted)) {
                    leases.put(client, wanted); // init-reboot with an address we can give
                    leased = wanted;
                }
                yield leased != null && leased == wanted
                        ? reply(message, offset, ACK, wanted, mac)
                        : reply(message, offset, NAK, 0, mac);
            }
            case RELEASE, DECLINE -> {
                leases.remove(client);
                yield null;
            }
            case INFORM -> reply(message, offset, ACK, 0, mac);
            default -> null;
        };
    }

    private boolean inPool(int address) {
        return Integer.compareUnsigned(address, firstAddress) >= 0
                && Integer.compareUnsigned(address, firstAddress + poolSize) < 0;
    }

    private int allocate(long client, int requested) {
        Integer existing = leases.get(client);
        if (existing != null) {
            return existing;
        }
        if (requested != 0 && inPool(requested) && !leases.containsValue(requested)) {
            leases.put(client, requested);
            return requested;
        }
        for (int i = 0; i < poolSize; i++) {
            int candidate = firstAddress + i;
            if (!leases.containsValue(candidate)) {
                leases.put(client, candidate);
                return candidate;
            }
        }
        return 0; // pool exhausted: stay silent, as RFC 2131 4.3.1 allows
    }

    private Reply reply(byte[] request, int offset, int type, int yourAddress, byte[] mac) {
        byte[] out = new byte[300]; // BOOTP's minimum message size
        out[0] = BOOTREPLY;
        out[1] = 1;
        out[2] = 6;
        System.arraycopy(request, offset + 4, out, 4, 4); // xid
        int flags = u16(request, offset + 10);
        put16(out, 10, flags);
        int clientAddress = u32(request, offset + 12);
        if (type == ACK && yourAddress == 0) {
            put32(out, 12, clientAddress); // INFORM
        }
        put32(out, 16, yourAddress);
        put32(out, 20, type == NAK ? 0 : serverAddress);
        System.arraycopy(request, offset + 24, out, 24, 4 + 16); // giaddr, chaddr
        put32(out, FIXED_LENGTH, MAGIC_COOKIE);
        int at = OPTIONS_OFFSET;
        out[at++] = OPTION_MESSAGE_TYPE;
        out[at++] = 1;
        out[at++] = (byte) type;
        at = option32(out, at, OPTION_SERVER_ID, serverAddress);
        if (type != NAK) {
            if (yourAddress != 0) {
                at = option32(out, at, OPTION_LEASE_TIME, leaseSeconds);
                at = option32(out, at, OPTION_RENEWAL_TIME, leaseSeconds / 2);
                at = option32(out, at, OPTION_REBINDING_TIME, leaseSeconds / 8 * 7);
            }
            at = option32(out, at, OPTION_SUBNET_MASK, subnetMask);
            at = option32(out, at, OPTION_BROADCAST, serverAddress | ~subnetMask);
            if (router != 0) at = option32(out, at, OPTION_ROUTER, router);
            if (dns != 0) at = option32(out, at, OPTION_DNS, dns);
        }
        out[at] = (byte) OPTION_END;
        // RFC 2131 4.1: unicast to ciaddr when the client has one, else broadcast.
        boolean broadcast = clientAddress == 0 || (flags & FLAG_BROADCAST) != 0 || type == NAK;
        return new Reply(out, broadcast ? 0xFFFFFFFF : clientAddress, broadcast ? Frames.BROADCAST_MAC : mac);
    }

    private static int option32(byte[] out, int at, int code, int value) {
        out[at] = (byte) code;
        out[at + 1] = 4;
        put32(out, at + 2, value);
        return at + 6;
    }

    static long macKey(byte[] mac, int at) {
        long key = 0;
        for (int i = 0; i < 6; i++) {
            key = key << 8 | (mac[at + i] & 0xFF);
        }
        return key;
    }
}
