package org.vstation.ui.console;

import org.vstation.devices.input.KeyCode;

/**
 * JavaFX key codes to the PC keyboard's keys (by US position); the machine turns those into
 * PS/2 scan codes. Keys a PC keyboard does not have map to null and are not sent.
 */
public final class KeyMap {
    private KeyMap() {
    }

    public static KeyCode toPs2(javafx.scene.input.KeyCode key) {
        return switch (key) {
            case ESCAPE -> KeyCode.ESCAPE;
            case F1 -> KeyCode.F1;
            case F2 -> KeyCode.F2;
            case F3 -> KeyCode.F3;
            case F4 -> KeyCode.F4;
            case F5 -> KeyCode.F5;
            case F6 -> KeyCode.F6;
            case F7 -> KeyCode.F7;
            case F8 -> KeyCode.F8;
            case F9 -> KeyCode.F9;
            case F10 -> KeyCode.F10;
            case F11 -> KeyCode.F11;
            case F12 -> KeyCode.F12;
            case BACK_QUOTE, DEAD_GRAVE -> KeyCode.BACK_QUOTE;
            case DIGIT1 -> KeyCode.DIGIT_1;
            case DIGIT2 -> KeyCode.DIGIT_2;
            case DIGIT3 -> KeyCode.DIGIT_3;
            case DIGIT4 -> KeyCode.DIGIT_4;
            case DIGIT5 -> KeyCode.DIGIT_5;
            case DIGIT6 -> KeyCode.DIGIT_6;
            case DIGIT7 -> KeyCode.DIGIT_7;
            case DIGIT8 -> KeyCode.DIGIT_8;
            case DIGIT9 -> KeyCode.DIGIT_9;
            case DIGIT0 -> KeyCode.DIGIT_0;
            case MINUS -> KeyCode.MINUS;
            case EQUALS -> KeyCode.EQUALS;
            case BACK_SPACE -> KeyCode.BACKSPACE;
            case TAB -> KeyCode.TAB;
            case Q -> KeyCode.Q;
            case W -> KeyCode.W;
            case E -> KeyCode.E;
            case R -> KeyCode.R;
            case T -> KeyCode.T;
            case Y -> KeyCode.Y;
            case U -> KeyCode.U;
            case I -> KeyCode.I;
            case O -> KeyCode.O;
            case P -> KeyCode.P;
            case OPEN_BRACKET -> KeyCode.OPEN_BRACKET;
            case CLOSE_BRACKET -> KeyCode.CLOSE_BRACKET;
            case BACK_SLASH -> KeyCode.BACKSLASH;
            case CAPS -> KeyCode.CAPS_LOCK;
            case A -> KeyCode.A;
            case S -> KeyCode.S;
            case D -> KeyCode.D;
            case F -> KeyCode.F;
            case G -> KeyCode.G;
            case H -> KeyCode.H;
            case J -> KeyCode.J;
            case K -> KeyCode.K;
            case L -> KeyCode.L;
            case SEMICOLON -> KeyCode.SEMICOLON;
            case QUOTE -> KeyCode.QUOTE;
            case ENTER -> KeyCode.ENTER;
            case SHIFT -> KeyCode.LEFT_SHIFT;
            case LESS -> KeyCode.INTERNATIONAL_BACKSLASH;
            case Z -> KeyCode.Z;
            case X -> KeyCode.X;
            case C -> KeyCode.C;
            case V -> KeyCode.V;
            case B -> KeyCode.B;
            case N -> KeyCode.N;
            case M -> KeyCode.M;
            case COMMA -> KeyCode.COMMA;
            case PERIOD -> KeyCode.PERIOD;
            case SLASH -> KeyCode.SLASH;
            case CONTROL -> KeyCode.LEFT_CONTROL;
            case WINDOWS, META, COMMAND -> KeyCode.LEFT_WINDOWS;
            case ALT -> KeyCode.LEFT_ALT;
            case SPACE -> KeyCode.SPACE;
            case ALT_GRAPH -> KeyCode.RIGHT_ALT;
            case CONTEXT_MENU -> KeyCode.CONTEXT_MENU;
            case INSERT -> KeyCode.INSERT;
            case HOME -> KeyCode.HOME;
            case PAGE_UP -> KeyCode.PAGE_UP;
            case DELETE -> KeyCode.DELETE;
            case END -> KeyCode.END;
            case PAGE_DOWN -> KeyCode.PAGE_DOWN;
            case UP -> KeyCode.UP;
            case LEFT -> KeyCode.LEFT;
            case DOWN -> KeyCode.DOWN;
            case RIGHT -> KeyCode.RIGHT;
            case NUM_LOCK -> KeyCode.NUM_LOCK;
            case DIVIDE -> KeyCode.KEYPAD_DIVIDE;
            case MULTIPLY -> KeyCode.KEYPAD_MULTIPLY;
            case SUBTRACT -> KeyCode.KEYPAD_SUBTRACT;
            case ADD -> KeyCode.KEYPAD_ADD;
            case DECIMAL -> KeyCode.KEYPAD_DECIMAL;
            case NUMPAD0 -> KeyCode.KEYPAD_0;
            case NUMPAD1 -> KeyCode.KEYPAD_1;
            case NUMPAD2 -> KeyCode.KEYPAD_2;
            case NUMPAD3 -> KeyCode.KEYPAD_3;
            case NUMPAD4 -> KeyCode.KEYPAD_4;
            case NUMPAD5 -> KeyCode.KEYPAD_5;
            case NUMPAD6 -> KeyCode.KEYPAD_6;
            case NUMPAD7 -> KeyCode.KEYPAD_7;
            case NUMPAD8 -> KeyCode.KEYPAD_8;
            case NUMPAD9 -> KeyCode.KEYPAD_9;
            case SCROLL_LOCK -> KeyCode.SCROLL_LOCK;
            case PRINTSCREEN -> KeyCode.PRINT_SCREEN;
            case PAUSE -> KeyCode.PAUSE;
            default -> null;
        };
    }
}
