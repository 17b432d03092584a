package org.vstation.manager.config;

import java.nio.file.Path;

/**
 * A config file the user can fix: unreadable, not JSON, or a field with a bad value. The message
 * names the file and the field, and for closed sets the allowed values.
 */
public final class ConfigException extends Exception {

    private final Path file;
    private final String field;
    private final String problem;

    public ConfigException(Path file, String field, String problem) {
        super(format(file, field, problem));
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    /** A bad field found before the file is known (validation of a config in memory). */
    public static ConfigException field(String field, String problem) {
        return new ConfigException(null, field, problem);
    }

    public ConfigException inFile(Path configFile) {
        ConfigException located = new ConfigException(configFile, field, problem);
        located.setStackTrace(getStackTrace());
        return located;
    }

    /** The config file, or null when the config was not read from a file. */
    public Path file() {
        return file;
    }

    /** The field in JSON path notation ({@code network[0].mode}), or null for the whole file. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }

    private static String format(Path file, String field, String problem) {
        StringBuilder message = new StringBuilder();
        if (file != null) {
            message.append(file).append(": ");
        }
        if (field != null) {
            message.append(field).append(": ");
        }
        return message.append(problem).toString();
    }
}
