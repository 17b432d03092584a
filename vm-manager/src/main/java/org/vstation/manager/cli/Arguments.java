package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A command's arguments split into positionals, options with a value and flags. */
final class Arguments {

    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    private Arguments() {
    }

    /**
     * Accepts {@code --option value}, {@code --option=value} and {@code --flag}; anything else
     * starting with "--" is an error naming it.
     */
    static Arguments parse(String command, List<String> args, Set<String> valueOptions, Set<String> flagOptions)
            throws UsageException {
        Arguments parsed = new Arguments();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                parsed.positional.add(arg);
                continue;
            }
            int equals = arg.indexOf('=');
            String option = equals < 0 ? arg : arg.substring(0, equals);
            if (valueOptions.contains(option)) {
                String value;
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(option + ": missing value");
                }
                if (parsed.values.put(option, value) != null) {
                    throw new UsageException(option + ": given twice");
                }
            } else if (flagOptions.contains(option) && equals < 0) {
                parsed.flags.add(option);
            } else {
                throw new UsageException(arg + ": unknown option for " + command + " (see vstation " + command
                        + " --help)");
            }
        }
        return parsed;
    }

    List<String> positional() {
        return positional;
    }

    /** Exactly {@code names.length} positionals, else an error naming the first missing or extra one. */
    List<String> expectPositional(String... names) throws UsageException {
        if (positional.size() < names.length) {
            throw new UsageException(names[positional.size()] + ": missing");
        }
        if (positional.size() > names.length) {
            throw new UsageException(positional.get(names.length) + ": unexpected argument");
        }
        return positional;
    }

    String value(String option) {
        return values.get(option);
    }

    boolean has(String option) {
        return flags.contains(option) || values.containsKey(option);
    }

    int intValue(String option, int defaultValue) throws UsageException {
        String text = values.get(option);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": \"" + text + "\" is not a whole number");
        }
    }
}
