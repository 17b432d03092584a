package org.vstation.manager.runner;

/**
 * Watches a byte stream from the guest (serial port, debug console) for a
 * text, and keeps its recent tail for "what was last seen" messages.
 */
final class TextWatch {
    private static final int TAIL_LENGTH = 400;

    private final String wanted;
    private final StringBuilder tail = new StringBuilder();
    private boolean seen;

    /** {@code wanted} may be null: then it only keeps the tail. */
    TextWatch(String wanted) {
        this.wanted = wanted;
    }

    /** Feeds one byte; returns true the first time the wanted text is complete. */
    boolean accept(int b) {
        tail.append((char) (b & 0xFF));
        int keep = Math.max(TAIL_LENGTH, wanted == null ? 0 : wanted.length());
        if (tail.length() > 2 * keep) {
            tail.delete(0, tail.length() - keep);
        }
        if (seen || wanted == null || tail.length() < wanted.length()) {
            return false;
        }
        if (tail.lastIndexOf(wanted) == tail.length() - wanted.length()) {
            seen = true;
            return true;
        }
        return false;
    }

    boolean seen() {
        return seen;
    }

    /** The last few hundred characters, control characters made visible, for error messages. */
    String tail() {
        String text = tail.length() > TAIL_LENGTH ? tail.substring(tail.length() - TAIL_LENGTH) : tail.toString();
        StringBuilder visible = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '\n') visible.append("\\n");
            else if (c == '\r') continue;
            else if (c < 0x20 || c > 0x7E) visible.append('.');
            else visible.append(c);
        }
        return visible.toString();
    }
}
