package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vstation.manager.config.ConfigException;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.runner.HeadlessRunCommand;

/**
 * {@code vstation <command> [arguments]}: the command line. Exit codes: 0 ok, 2 usage or
 * validation error (one line on stderr naming the bad argument or field), 1 internal error.
 * The global option {@code --library DIR} picks the library (else $VSTATION_LIBRARY, else ~/VStation).
 */
public final class VStationCli {

    public static final int EXIT_OK = 0;
    public static final int EXIT_INTERNAL_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    private static final String LIBRARY_OPTION = "--library";

    private VStationCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
        CliContext context = new CliContext(out, err, in, System.getenv(), Path.of(System.getProperty("user.home")),
                Path.of(System.getProperty("user.dir")), HeadlessRunCommand::run, true);
        return run(List.of(args), context, defaultRegistry());
    }

    /** Every command; others add theirs here. */
    public static CommandRegistry defaultRegistry() {
        return new CommandRegistry()
                .register(new CreateCommand())
                .register(new ListCommand())
                .register(new ShowCommand())
                .register(new SetCommand())
                .register(new CloneCommand())
                .register(new RenameCommand())
                .register(new DeleteCommand())
                .register(new ImportCommand())
                .register(new MacCommand())
                .register(new MediaCommand())
                .register(new NicCommand())
                .register(new RunCommand())
                .register(new ConformanceCommand())
                .register(new BenchCommand())
                .register(GuestImageScriptCommand.fetchFirmware())
                .register(GuestImageScriptCommand.buildGuest());
    }

    public static int run(List<String> args, CliContext context, CommandRegistry registry) {
        List<String> remaining = new ArrayList<>(args);
        String commandName = "vstation";
        try {
            extractLibraryOption(remaining, context);
            if (remaining.isEmpty()) {
                printHelp(context.err(), registry);
                return EXIT_USAGE;
            }
            commandName = remaining.removeFirst();
            if (commandName.equals("help") || commandName.equals("--help") || commandName.equals("-h")) {
                return help(remaining, context, registry);
            }
            Command command = registry.find(commandName);
            if (command == null) {
                throw new UsageException(commandName + ": unknown command (see vstation help)");
            }
            if (remaining.contains("--help") && !command.name().equals("run")
                    || remaining.size() == 1 && remaining.getFirst().equals("--help")) {
                context.out().println(command.usage());
                return EXIT_OK;
            }
            return command.execute(remaining, context);
        } catch (UsageException e) {
            context.err().println("vstation " + (registry.find(commandName) == null ? "" : commandName + ": ")
                    + e.getMessage());
            return EXIT_USAGE;
        } catch (LibraryException | ConfigException e) {
            context.err().println("vstation " + commandName + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            context.err().println("vstation " + commandName + ": " + e.getMessage());
            return EXIT_INTERNAL_ERROR;
        } catch (Exception e) {
            context.err().println("vstation " + commandName + ": internal error: " + e);
            e.printStackTrace(context.err());
            return EXIT_INTERNAL_ERROR;
        }
    }

    private static void extractLibraryOption(List<String> args, CliContext context) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(LIBRARY_OPTION)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(LIBRARY_OPTION + ": missing folder");
                }
                context.setLibraryOption(args.get(i + 1));
                args.subList(i, i + 2).clear();
                return;
            }
            if (arg.startsWith(LIBRARY_OPTION + "=")) {
                context.setLibraryOption(arg.substring(LIBRARY_OPTION.length() + 1));
                args.remove(i);
                return;
            }
        }
    }

    private static int help(List<String> args, CliContext context, CommandRegistry registry) throws UsageException {
        if (args.isEmpty()) {
            printHelp(context.out(), registry);
            return EXIT_OK;
        }
        Command command = registry.find(args.getFirst());
        if (command == null) {
            throw new UsageException(args.getFirst() + ": unknown command (see vstation help)");
        }
        context.out().println(command.usage());
        return EXIT_OK;
    }

    private static void printHelp(PrintStream stream, CommandRegistry registry) {
        stream.println("usage: vstation [--library DIR] <command> [arguments]   (vstation <command> --help for details)");
        stream.println();
        int width = registry.commands().stream().mapToInt(command -> command.name().length()).max().orElse(0);
        for (Command command : registry.commands()) {
            stream.printf("  %-" + width + "s  %s%n", command.name(), command.help());
        }
        stream.println();
        stream.println("The library is --library DIR, else $VSTATION_LIBRARY, else ~/VStation.");
    }
}
