package org.vstation.devices.ide;

/** Helpers for the 256-word IDENTIFY (PACKET) DEVICE data (ATA-6 8.15, 8.16). */
final class IdentifyData {
    private IdentifyData() {
    }

    /**
     * An ATA string: ASCII padded with spaces, two characters per word with
     * the first in the high byte (ATA-6 3.2.9).
     */
    static void putString(int[] words, int firstWord, int lengthBytes, String text) {
        for (int i = 0; i < lengthBytes; i += 2) {
            int high = i < text.length() ? text.charAt(i) & 0x7F : ' ';
            int low = i + 1 < text.length() ? text.charAt(i + 1) & 0x7F : ' ';
            words[firstWord + i / 2] = high << 8 | low;
        }
    }

    /** Words to little-endian bytes, with the integrity word 255 (signature A5h and checksum, ATA-6 8.15.61). */
    static void toBytes(int[] words, byte[] destination) {
        words[255] = 0xA5;
        for (int i = 0; i < 255; i++) {
            destination[2 * i] = (byte) words[i];
            destination[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        int sum = 0;
        for (int i = 0; i < 511; i++) {
            sum += i < 510 ? destination[i] & 0xFF : 0xA5;
        }
        words[255] = ((-sum) & 0xFF) << 8 | 0xA5;
        destination[510] = (byte) 0xA5;
        destination[511] = (byte) (words[255] >>> 8);
    }
}
