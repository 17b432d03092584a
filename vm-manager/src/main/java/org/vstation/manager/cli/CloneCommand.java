package org.vstation.manager.cli;

import java.util.List;
import java.util.Set;
import org.vstation.manager.library.VmEntry;

/** {@code vstation clone SRC NEW}: a full copy with a new UUID and new MAC addresses. */
final class CloneCommand implements Command {

    @Override
    public String name() {
        return "clone";
    }

    @Override
    public String help() {
        return "copy a VM (disks included) with a new UUID and new MAC addresses";
    }

    @Override
    public String usage() {
        return "usage: vstation clone SRC NEW\n  The source must be stopped; its disks are copied into the new VM's folder.";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        List<String> names = Arguments.parse(name(), args, Set.of(), Set.of()).expectPositional("SRC", "NEW");
        VmEntry source = context.findVm(names.get(0));
        VmEntry clone = context.library().clone(source, names.get(1));
        context.out().println("Cloned " + source.name() + " to " + clone.name() + " in " + clone.folder() + " (MAC "
                + clone.config().network.stream().map(nic -> nic.mac.toString()).reduce((a, b) -> a + ", " + b)
                .orElse("none") + ")");
        return VStationCli.EXIT_OK;
    }
}
