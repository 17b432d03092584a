package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.List;

/**
 * One {@code vstation <name>} command. Adding a command is one class plus one line in
 * {@link VStationCli#defaultRegistry()}.
 */
public interface Command {

    String name();

    /** One line for the command list of {@code vstation help}. */
    String help();

    /** The full usage shown by {@code vstation <name> --help}: synopsis, then the options. */
    String usage();

    /**
     * @param args the arguments after the command name (global options already removed)
     * @return the exit code: 0 ok, 2 usage or validation error, 1 internal error
     * @throws UsageException for a bad argument, reported on one line with exit code 2
     */
    int execute(List<String> args, CliContext context) throws Exception;
}
