package org.vstation.manager.mac;

import java.util.Locale;

/**
 * A 48-bit IEEE 802 MAC address, written as six colon-separated lower-case hex octets
 * ({@code 02:56:53:1a:2b:3c}). IEEE 802-2014 clause 8.2: bit 0 of the first octet is the
 * individual/group bit (1 = multicast), bit 1 the universal/local bit (1 = locally administered).
 */
public record MacAddress(long value) {

    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    private static final long GROUP_BIT = 1L << 40;
    private static final long LOCAL_BIT = 1L << 41;

    public MacAddress {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits: 0x" + Long.toHexString(value));
        }
    }

    /**
     * Parses six octets of two hex digits separated by ':' or '-'.
     *
     * @throws IllegalArgumentException with a message a user understands
     */
    public static MacAddress parse(String text) {
        String problem = "\"" + text + "\" is not a MAC address (six octets of two hex digits, like 02:56:53:00:00:01)";
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException(problem);
        }
        char separator = text.charAt(2);
        if (separator != ':' && separator != '-') {
            throw new IllegalArgumentException(problem);
        }
        long value = 0;
        for (int octet = 0; octet < 6; octet++) {
            int at = octet * 3;
            if (octet > 0 && text.charAt(at - 1) != separator) {
                throw new IllegalArgumentException(problem);
            }
            int high = Character.digit(text.charAt(at), 16);
            int low = Character.digit(text.charAt(at + 1), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException(problem);
            }
            value = (value << 8) | (high << 4) | low;
        }
        return new MacAddress(value);
    }

    public int octet(int index) {
        return (int) (value >>> (8 * (5 - index))) & 0xFF;
    }

    public boolean isMulticast() {
        return (value & GROUP_BIT) != 0;
    }

    public boolean isLocallyAdministered() {
        return (value & LOCAL_BIT) != 0;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int octet = 0; octet < 6; octet++) {
            if (octet > 0) {
                text.append(':');
            }
            text.append(String.format(Locale.ROOT, "%02x", octet(octet)));
        }
        return text.toString();
    }
}
