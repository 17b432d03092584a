package org.vstation.devices.input;

/**
 * The keys of a 105-key PC keyboard (US names, by position) with their scan
 * code set 2 make codes; break codes insert 0xF0 before the last byte.
 * Source: IBM PS/2 keyboard technical reference and the Microsoft
 * "Keyboard Scan Code Specification" (set 2 column).
 */
public enum KeyCode {
    ESCAPE(0x76), F1(0x05), F2(0x06), F3(0x04), F4(0x0C), F5(0x03), F6(0x0B), F7(0x83), F8(0x0A),
    F9(0x01), F10(0x09), F11(0x78), F12(0x07),
    BACK_QUOTE(0x0E), DIGIT_1(0x16), DIGIT_2(0x1E), DIGIT_3(0x26), DIGIT_4(0x25), DIGIT_5(0x2E),
    DIGIT_6(0x36), DIGIT_7(0x3D), DIGIT_8(0x3E), DIGIT_9(0x46), DIGIT_0(0x45), MINUS(0x4E), EQUALS(0x55),
    BACKSPACE(0x66),
    TAB(0x0D), Q(0x15), W(0x1D), E(0x24), R(0x2D), T(0x2C), Y(0x35), U(0x3C), I(0x43), O(0x44), P(0x4D),
    OPEN_BRACKET(0x54), CLOSE_BRACKET(0x5B), BACKSLASH(0x5D),
    CAPS_LOCK(0x58), A(0x1C), S(0x1B), D(0x23), F(0x2B), G(0x34), H(0x33), J(0x3B), K(0x42), L(0x4B),
    SEMICOLON(0x4C), QUOTE(0x52), ENTER(0x5A),
    LEFT_SHIFT(0x12), INTERNATIONAL_BACKSLASH(0x61), Z(0x1A), X(0x22), C(0x21), V(0x2A), B(0x32), N(0x31),
    M(0x3A), COMMA(0x41), PERIOD(0x49), SLASH(0x4A), RIGHT_SHIFT(0x59),
    LEFT_CONTROL(0x14), LEFT_WINDOWS(0xE0, 0x1F), LEFT_ALT(0x11), SPACE(0x29), RIGHT_ALT(0xE0, 0x11),
    RIGHT_WINDOWS(0xE0, 0x27), CONTEXT_MENU(0xE0, 0x2F), RIGHT_CONTROL(0xE0, 0x14),
    INSERT(0xE0, 0x70), HOME(0xE0, 0x6C), PAGE_UP(0xE0, 0x7D), DELETE(0xE0, 0x71), END(0xE0, 0x69),
    PAGE_DOWN(0xE0, 0x7A), UP(0xE0, 0x75), LEFT(0xE0, 0x6B), DOWN(0xE0, 0x72), RIGHT(0xE0, 0x74),
    NUM_LOCK(0x77), KEYPAD_DIVIDE(0xE0, 0x4A), KEYPAD_MULTIPLY(0x7C), KEYPAD_SUBTRACT(0x7B),
    KEYPAD_7(0x6C), KEYPAD_8(0x75), KEYPAD_9(0x7D), KEYPAD_ADD(0x79), KEYPAD_4(0x6B), KEYPAD_5(0x73),
    KEYPAD_6(0x74), KEYPAD_1(0x69), KEYPAD_2(0x72), KEYPAD_3(0x7A), KEYPAD_0(0x70), KEYPAD_DECIMAL(0x71),
    KEYPAD_ENTER(0xE0, 0x5A), SCROLL_LOCK(0x7E),
    /** Print Screen sends a fake left shift around its code. */
    PRINT_SCREEN(new int[] {0xE0, 0x12, 0xE0, 0x7C}, new int[] {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12}),
    /** Pause sends its make and break codes together on press and nothing on release. */
    PAUSE(new int[] {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77}, new int[0]);

    private final int[] make;
    private final int[] breakCode;

    KeyCode(int... make) {
        this.make = make;
        this.breakCode = new int[make.length + 1];
        System.arraycopy(make, 0, breakCode, 0, make.length - 1);
        breakCode[make.length - 1] = ScanCodeTranslator.BREAK_PREFIX;
        breakCode[make.length] = make[make.length - 1];
    }

    KeyCode(int[] make, int[] breakCode) {
        this.make = make;
        this.breakCode = breakCode;
    }

    /** Set 2 bytes sent when the key goes down. */
    public int[] make() {
        return make.clone();
    }

    /** Set 2 bytes sent when the key comes up. */
    public int[] breakCode() {
        return breakCode.clone();
    }
}
