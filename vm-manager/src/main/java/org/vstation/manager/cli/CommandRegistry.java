package org.vstation.manager.cli;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The commands of the command line, by name, in the order {@code vstation help} lists them. */
public final class CommandRegistry {

    private final Map<String, Command> commands = new LinkedHashMap<>();

    public CommandRegistry register(Command command) {
        if (commands.putIfAbsent(command.name(), command) != null) {
            throw new IllegalArgumentException("two commands named " + command.name());
        }
        return this;
    }

    public Command find(String name) {
        return commands.get(name);
    }

    public Collection<Command> commands() {
        return commands.values();
    }
}
