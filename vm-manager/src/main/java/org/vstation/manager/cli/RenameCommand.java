package org.vstation.manager.cli;

import java.util.List;
import java.util.Set;
import org.vstation.manager.library.VmEntry;

/** {@code vstation rename OLD NEW}. */
final class RenameCommand implements Command {

    @Override
    public String name() {
        return "rename";
    }

    @Override
    public String help() {
        return "rename a VM (and its folder when it is named after the VM)";
    }

    @Override
    public String usage() {
        return "usage: vstation rename OLD NEW";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        List<String> names = Arguments.parse(name(), args, Set.of(), Set.of()).expectPositional("OLD", "NEW");
        VmEntry renamed = context.library().rename(context.findVm(names.get(0)), names.get(1));
        context.out().println("Renamed " + names.get(0) + " to " + renamed.name() + " (" + renamed.folder() + ")");
        return VStationCli.EXIT_OK;
    }
}
