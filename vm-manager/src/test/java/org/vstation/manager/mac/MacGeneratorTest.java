package org.vstation.manager.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MacGeneratorTest {

    @Test
    void generatedAddressesAreLocallyAdministeredUnicastUnderTheVStationPrefix() {
        for (int i = 0; i < 1000; i++) {
            MacAddress address = MacGenerator.derive(UUID.randomUUID(), i % 4, 0);
            assertTrue(address.toString().startsWith("02:56:53:"), address.toString());
            assertFalse(address.isMulticast());
            assertTrue(address.isLocallyAdministered());
            assertTrue(MacGenerator.hasVStationPrefix(address));
        }
    }

    @Test
    void theAddressFollowsFromUuidAdapterAndDraw() {
        UUID uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertEquals(MacGenerator.derive(uuid, 0, 0), MacGenerator.derive(uuid, 0, 0));
        assertNotEquals(MacGenerator.derive(uuid, 0, 0), MacGenerator.derive(uuid, 1, 0));
        assertNotEquals(MacGenerator.derive(uuid, 0, 0), MacGenerator.derive(uuid, 0, 1));
    }

    @Test
    void aTakenAddressIsRedrawn() {
        UUID uuid = UUID.randomUUID();
        MacAddress first = MacGenerator.derive(uuid, 0, 0);
        MacAddress second = MacGenerator.derive(uuid, 0, 1);
        assertEquals(second, MacGenerator.generate(uuid, 0, first::equals));
    }

    @Test
    void theRegistryNeverHandsOutAnAddressAnotherAdapterUses() {
        MacRegistry registry = new MacRegistry();
        UUID shared = UUID.randomUUID();
        Path original = Path.of("/library/original");
        Path copy = Path.of("/library/copy");
        MacAddress originalAddress = registry.allocate(shared, original, 0, null);
        registry.register(originalAddress, new MacRegistry.Owner(original, "original", 0));
        // A hand copy has the same UUID, so its first draw is the original's address.
        MacAddress copyAddress = registry.allocate(shared, copy, 0, null);
        assertNotEquals(originalAddress, copyAddress);
        registry.register(copyAddress, new MacRegistry.Owner(copy, "copy", 0));
        assertTrue(registry.duplicates().isEmpty());

        registry.register(originalAddress, new MacRegistry.Owner(copy, "copy", 1));
        assertEquals(1, registry.duplicates().size());
        assertEquals(originalAddress, registry.duplicates().getFirst().address());
        assertEquals(2, registry.duplicates().getFirst().owners().size());

        registry.unregister(copy);
        assertTrue(registry.duplicates().isEmpty());
        assertEquals(1, registry.size());
    }

    @Test
    void regeneratingAvoidsTheCurrentAddress() {
        MacRegistry registry = new MacRegistry();
        UUID uuid = UUID.randomUUID();
        Path folder = Path.of("/library/vm");
        MacAddress current = registry.allocate(uuid, folder, 0, null);
        MacAddress next = registry.allocate(uuid, folder, 0, current);
        assertNotEquals(current, next);
    }
}
