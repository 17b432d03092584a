package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.List;
import java.util.Set;
import org.vstation.manager.config.ConfigValue;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLog;

/** {@code vstation nic NAME --mode MODE}: NAT, host-only, bridged or unplugged. */
final class NicCommand implements Command {

    @Override
    public String name() {
        return "nic";
    }

    @Override
    public String help() {
        return "switch a VM's network adapter between nat, hostonly, bridged and none";
    }

    @Override
    public String usage() {
        return """
                usage: vstation nic NAME --mode MODE [--bridge IFACE] [--adapter N]
                  --mode MODE     %s
                  --bridge IFACE  the host interface a bridged adapter joins (needed for bridged)
                  --adapter N     the adapter to change (default 0)""".formatted(ConfigValue.allowed(NicMode.class));
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of("--mode", "--bridge", "--adapter"), Set.of());
        VmEntry entry = context.findVm(parsed.expectPositional("NAME").getFirst());
        if (parsed.value("--mode") == null) {
            throw new UsageException("--mode: missing");
        }
        NicMode mode = CreateCommand.choice("--mode", NicMode.class, parsed.value("--mode"));
        int adapter = parsed.intValue("--adapter", 0);
        if (!entry.isReadable()) {
            throw new LibraryException(entry.errorMessage());
        }
        if (adapter < 0 || adapter >= entry.config().network.size()) {
            throw new UsageException("--adapter: " + entry.name() + " has no adapter " + adapter);
        }
        NicMode previous = entry.config().network.get(adapter).mode;
        String bridge = parsed.value("--bridge");
        VmEntry saved = context.library().update(entry, config -> {
            NicConfig nic = config.network.get(adapter);
            nic.mode = mode;
            if (bridge != null) {
                nic.bridgeInterface = bridge;
            }
            return config;
        });
        NicConfig nic = saved.config().network.get(adapter);
        String change = "adapter " + adapter + " mode "
                + (previous == nic.mode ? nic.mode.id() + " (unchanged)" : previous.id() + " -> " + nic.mode.id())
                + (nic.mode == NicMode.BRIDGED ? ", bridged to " + nic.bridgeInterface : "");
        new VmLog(saved.folder()).nic(change);
        context.out().println(saved.name() + " " + change);
        return VStationCli.EXIT_OK;
    }
}
