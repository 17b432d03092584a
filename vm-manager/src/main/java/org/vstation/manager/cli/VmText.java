package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.io.IOException;
import java.util.Locale;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLock;

/** How VMs, sizes and states are written on the command line. */
final class VmText {

    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB"};

    private VmText() {
    }

    /** stopped, running, busy (being edited or copied), error, moved-or-copied; unknown when the lock cannot be read. */
    static String state(VmEntry entry) {
        if (!entry.isReadable()) {
            return "error";
        }
        if (entry.relocation() == VmEntry.Relocation.MOVED_OR_COPIED) {
            return "moved-or-copied";
        }
        VmLock.Holder holder;
        try {
            holder = VmLock.holder(entry.folder());
        } catch (IOException e) {
            return "unknown";
        }
        if (holder != null) {
            return holder.purpose().equals("run") ? "running" : "busy";
        }
        return "stopped";
    }

    /** 1 GiB, 512 MiB, 1.5 GiB: the largest unit that keeps the number at least 1. */
    static String size(long bytes) {
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%d %s", (long) value, UNITS[unit]);
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /**
     * Parses a size the user typed: a number of bytes, or a number followed by K, M, G or T
     * (binary units, with an optional "iB" or "B").
     */
    static long parseSize(String option, String text) throws UsageException {
        String upper = text.strip().toUpperCase(Locale.ROOT);
        if (upper.endsWith("IB")) {
            upper = upper.substring(0, upper.length() - 2);
        } else if (upper.endsWith("B") && upper.length() > 1 && !Character.isDigit(upper.charAt(upper.length() - 2))) {
            upper = upper.substring(0, upper.length() - 1);
        }
        int shift = 0;
        if (!upper.isEmpty()) {
            switch (upper.charAt(upper.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = -1;
            }
        }
        String digits = shift < 0 ? upper : upper.substring(0, upper.length() - 1);
        try {
            long number = Long.parseLong(digits);
            long bytes = number << Math.max(shift, 0);
            if (number < 0 || (bytes >> Math.max(shift, 0)) != number) {
                throw new NumberFormatException();
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": \"" + text + "\" is not a size (like 8G, 512M or a number of bytes)");
        }
    }
}
