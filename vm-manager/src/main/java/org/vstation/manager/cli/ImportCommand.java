package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.vstation.manager.library.ImportAnswer;
import org.vstation.manager.library.MovedOrCopiedException;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.mac.MacRegistry;

/**
 * {@code vstation import DIR}: registers an existing VM folder. When the same VM is still where
 * the folder was last saved, asks (as VMware does) whether it was moved or copied.
 */
final class ImportCommand implements Command {

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String help() {
        return "register an existing VM folder (asks \"moved or copied?\" when it matters)";
    }

    @Override
    public String usage() {
        return """
                usage: vstation import DIR [--moved | --copied] [--name NAME]
                  --moved      the folder was moved: keep its UUID and MAC addresses
                  --copied     the folder was copied: give it a new UUID and new MAC addresses
                  --name NAME  a new name, when the VM's own name is taken in the library
                Without --moved or --copied, the question is asked only if the original is still in place.""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of("--name"), Set.of("--moved", "--copied"));
        Path folder = context.resolve(parsed.expectPositional("DIR").getFirst());
        if (parsed.has("--moved") && parsed.has("--copied")) {
            throw new UsageException("--moved, --copied: give one of them");
        }
        ImportAnswer answer = parsed.has("--moved") ? ImportAnswer.MOVED
                : parsed.has("--copied") ? ImportAnswer.COPIED : null;
        VmLibrary library = context.library();
        VmLibrary.ImportResult result;
        try {
            result = library.importFolder(folder, answer, parsed.value("--name"));
        } catch (MovedOrCopiedException question) {
            result = library.importFolder(folder, ask(question, context), parsed.value("--name"));
        }
        context.out().println("Imported " + result.entry().name() + " from " + result.entry().folder() + " ("
                + result.note() + ")");
        for (MacRegistry.Duplicate duplicate : result.duplicates()) {
            context.err().println("warning: MAC " + duplicate.address() + " is also used by "
                    + library.describeOwners(duplicate.address()) + "; give this VM a new address with: vstation mac "
                    + result.entry().name() + " --regenerate");
        }
        return VStationCli.EXIT_OK;
    }

    private static ImportAnswer ask(MovedOrCopiedException question, CliContext context) throws Exception {
        context.err().println(question.folder() + " was last saved in " + question.previousLocation()
                + ", where the same VM still is.");
        String answer = context.ask("Did you move it or copy it? [moved/copied] ");
        if (answer == null) {
            throw question;
        }
        return switch (answer.toLowerCase(Locale.ROOT)) {
            case "moved", "move", "m" -> ImportAnswer.MOVED;
            case "copied", "copy", "c" -> ImportAnswer.COPIED;
            default -> throw new UsageException("\"" + answer + "\": answer moved or copied");
        };
    }
}
