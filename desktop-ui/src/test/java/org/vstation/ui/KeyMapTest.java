package org.vstation.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vstation.devices.input.KeyCode;
import org.vstation.ui.console.KeyMap;

/** Every key of a PC keyboard is reachable from JavaFX, media keys are not sent. */
class KeyMapTest {

    @Test
    void everyPcKeyIsReachable() {
        Set<KeyCode> reached = EnumSet.noneOf(KeyCode.class);
        for (javafx.scene.input.KeyCode key : javafx.scene.input.KeyCode.values()) {
            KeyCode pc = KeyMap.toPs2(key);
            if (pc != null) {
                reached.add(pc);
            }
        }
        Set<KeyCode> missing = EnumSet.allOf(KeyCode.class);
        missing.removeAll(reached);
        // The right-hand modifiers share JavaFX codes with the left ones, and JavaFX has no separate keypad Enter.
        assertEquals(EnumSet.of(KeyCode.RIGHT_SHIFT, KeyCode.RIGHT_CONTROL, KeyCode.RIGHT_WINDOWS,
                KeyCode.KEYPAD_ENTER), missing);
        assertEquals(KeyCode.A, KeyMap.toPs2(javafx.scene.input.KeyCode.A));
        assertEquals(KeyCode.KEYPAD_7, KeyMap.toPs2(javafx.scene.input.KeyCode.NUMPAD7));
        assertNull(KeyMap.toPs2(javafx.scene.input.KeyCode.VOLUME_UP));
    }
}
