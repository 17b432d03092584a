package org.vstation.manager.runner;

import java.util.Map;
import org.vstation.devices.Machine;
import org.vstation.devices.input.KeyCode;

/** Types text on a machine's PS/2 keyboard as a person with a US layout would. */
final class UsKeyboard {
    private static final String UNSHIFTED = "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./ \n";
    private static final String SHIFTED = "~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?";
    private static final KeyCode[] KEYS = {
        KeyCode.BACK_QUOTE, KeyCode.DIGIT_1, KeyCode.DIGIT_2, KeyCode.DIGIT_3, KeyCode.DIGIT_4, KeyCode.DIGIT_5,
        KeyCode.DIGIT_6, KeyCode.DIGIT_7, KeyCode.DIGIT_8, KeyCode.DIGIT_9, KeyCode.DIGIT_0, KeyCode.MINUS,
        KeyCode.EQUALS, KeyCode.Q, KeyCode.W, KeyCode.E, KeyCode.R, KeyCode.T, KeyCode.Y, KeyCode.U, KeyCode.I,
        KeyCode.O, KeyCode.P, KeyCode.OPEN_BRACKET, KeyCode.CLOSE_BRACKET, KeyCode.BACKSLASH, KeyCode.A, KeyCode.S,
        KeyCode.D, KeyCode.F, KeyCode.G, KeyCode.H, KeyCode.J, KeyCode.K, KeyCode.L, KeyCode.SEMICOLON,
        KeyCode.QUOTE, KeyCode.Z, KeyCode.X, KeyCode.C, KeyCode.V, KeyCode.B, KeyCode.N, KeyCode.M, KeyCode.COMMA,
        KeyCode.PERIOD, KeyCode.SLASH, KeyCode.SPACE, KeyCode.ENTER,
    };
    private static final Map<Character, KeyCode> NO_SHIFT = new java.util.HashMap<>();
    private static final Map<Character, KeyCode> WITH_SHIFT = new java.util.HashMap<>();

    static {
        for (int i = 0; i < UNSHIFTED.length(); i++) {
            NO_SHIFT.put(UNSHIFTED.charAt(i), KEYS[i]);
        }
        for (int i = 0; i < SHIFTED.length(); i++) {
            WITH_SHIFT.put(SHIFTED.charAt(i), KEYS[i]);
        }
    }

    private UsKeyboard() {
    }

    /** Presses and releases the keys for {@code text}; pauses so the guest's keyboard buffer keeps up. */
    static void type(Machine machine, String text) throws InterruptedException {
        for (char c : text.toCharArray()) {
            KeyCode key = NO_SHIFT.get(c);
            boolean shift = key == null;
            if (shift) {
                key = WITH_SHIFT.get(c);
            }
            if (key == null) {
                throw new IllegalArgumentException("no US key for '" + c + "'");
            }
            if (shift) machine.keyEvent(KeyCode.LEFT_SHIFT, true);
            machine.keyEvent(key, true);
            machine.keyEvent(key, false);
            if (shift) machine.keyEvent(KeyCode.LEFT_SHIFT, false);
            Thread.sleep(20);
        }
    }
}
