package org.vstation.manager.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesAndPrintsSixLowerCaseOctets() {
        MacAddress address = MacAddress.parse("02:56:53:AB:cd:0F");
        assertEquals(0x025653ABCD0FL, address.value());
        assertEquals("02:56:53:ab:cd:0f", address.toString());
        assertEquals(address, MacAddress.parse("02-56-53-ab-cd-0f"));
        assertEquals(0xAB, address.octet(3));
    }

    @Test
    void groupAndLocalBitsAreTheTwoLowBitsOfTheFirstOctet() {
        assertFalse(MacAddress.parse("02:00:00:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("02:00:00:00:00:01").isLocallyAdministered());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isLocallyAdministered());
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:56:53:00:00", "02:56:53:00:00:00:01", "02:56:53:00:00:0g", "02:56-53:00:00:01",
            "0256.5300.0001", "2:56:53:00:00:001"})
    void rejectsAnythingButSixHexOctets(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(error.getMessage().contains("six octets"), error.getMessage());
    }
}
