package org.vstation.ui;

import java.util.function.Function;
import javafx.util.StringConverter;
import org.vstation.devices.MachineState;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicMode;

/** How the app names config values and states to the user. */
public final class Labels {
    private Labels() {
    }

    public static String guestOs(GuestOs os) {
        return switch (os) {
            case LINUX -> "Linux";
            case WINDOWS -> "Windows";
            case DOS -> "DOS";
            case BSD -> "BSD";
            case OTHER -> "Other";
        };
    }

    public static String nicMode(NicMode mode) {
        return switch (mode) {
            case NAT -> "NAT";
            case HOST_ONLY -> "Host-only";
            case BRIDGED -> "Bridged";
            case NONE -> "Not attached";
        };
    }

    public static String state(MachineState state) {
        return switch (state) {
            case CREATED, RUNNING -> "Running";
            case PAUSED -> "Paused";
            case POWERED_OFF -> "Powered off";
            case ERROR -> "Error";
        };
    }

    public static <T> StringConverter<T> converter(Function<T, String> label) {
        return new StringConverter<>() {
            @Override
            public String toString(T value) {
                return value == null ? "" : label.apply(value);
            }

            @Override
            public T fromString(String text) {
                throw new UnsupportedOperationException("choices are not typed in");
            }
        };
    }
}
