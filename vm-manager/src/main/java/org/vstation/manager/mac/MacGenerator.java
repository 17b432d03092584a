package org.vstation.manager.mac;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Generated addresses: the VStation prefix 02:56:53 ("02" = locally administered unicast, then
 * "VS" in ASCII) followed by 24 bits drawn from SHA-256 of the VM's UUID, the adapter index and a
 * draw number. Draw 0 is the address a VM gets when created; later draws are taken in order when
 * an address is already used by another VM of the library.
 */
public final class MacGenerator {

    /** The first three octets of every generated address. */
    public static final long PREFIX = 0x02_56_53L;

    /** Enough draws that, with 24 free bits, running out means the library holds millions of adapters. */
    private static final int MAX_DRAWS = 1 << 20;

    private MacGenerator() {
    }

    public static MacAddress derive(UUID vmUuid, int adapterIndex, int draw) {
        ByteBuffer input = ByteBuffer.allocate(24)
                .putLong(vmUuid.getMostSignificantBits())
                .putLong(vmUuid.getLeastSignificantBits())
                .putInt(adapterIndex)
                .putInt(draw);
        byte[] digest = sha256().digest(input.array());
        long suffix = ((digest[0] & 0xFFL) << 16) | ((digest[1] & 0xFFL) << 8) | (digest[2] & 0xFFL);
        return new MacAddress((PREFIX << 24) | suffix);
    }

    /** The first draw for this adapter that {@code taken} does not reject. */
    public static MacAddress generate(UUID vmUuid, int adapterIndex, Predicate<MacAddress> taken) {
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            MacAddress candidate = derive(vmUuid, adapterIndex, draw);
            if (!taken.test(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free MAC address under the VStation prefix after " + MAX_DRAWS + " draws");
    }

    public static boolean hasVStationPrefix(MacAddress address) {
        return (address.value() >>> 24) == PREFIX;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
