package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.List;
import java.util.Set;
import org.vstation.manager.library.VmEntry;

/** {@code vstation delete NAME [--yes]}: deletes the VM folder after asking. */
final class DeleteCommand implements Command {

    @Override
    public String name() {
        return "delete";
    }

    @Override
    public String help() {
        return "delete a VM and its folder (asks first unless --yes)";
    }

    @Override
    public String usage() {
        return """
                usage: vstation delete NAME [--yes]
                  Deletes the VM folder and everything in it. Files outside the folder (ISOs, disks kept
                  elsewhere, targets of links) are never deleted.
                  --yes  do not ask for confirmation""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of(), Set.of("--yes"));
        VmEntry entry = context.findVm(parsed.expectPositional("NAME").getFirst());
        if (!parsed.has("--yes")) {
            String answer = context.ask("Delete " + entry.name() + " and everything in " + entry.folder() + "? [y/N] ");
            if (answer == null) {
                throw new UsageException("--yes: needed to delete without a terminal to confirm on");
            }
            if (!answer.equalsIgnoreCase("y") && !answer.equalsIgnoreCase("yes")) {
                context.out().println("Not deleted.");
                return VStationCli.EXIT_OK;
            }
        }
        context.library().delete(entry);
        context.out().println("Deleted " + entry.name() + " (" + entry.folder() + ")");
        return VStationCli.EXIT_OK;
    }
}
