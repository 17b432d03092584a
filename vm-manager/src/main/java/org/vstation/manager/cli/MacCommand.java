package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.List;
import java.util.Set;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.mac.MacAddress;

/** {@code vstation mac NAME [--regenerate | --set ADDR] [--adapter N]}. */
final class MacCommand implements Command {

    @Override
    public String name() {
        return "mac";
    }

    @Override
    public String help() {
        return "show, regenerate or set a VM's MAC address";
    }

    @Override
    public String usage() {
        return """
                usage: vstation mac NAME [--regenerate | --set ADDR] [--adapter N]
                  (no option)   print each adapter's address
                  --regenerate  a new generated address, unique in the library
                  --set ADDR    an address chosen by hand, like 02:00:00:12:34:56 (unicast; a warning
                                is printed when it is outside the locally administered range)
                  --adapter N   the adapter to change (default 0)""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of("--set", "--adapter"), Set.of("--regenerate"));
        VmEntry entry = context.findVm(parsed.expectPositional("NAME").getFirst());
        int adapter = parsed.intValue("--adapter", 0);
        if (parsed.has("--regenerate") && parsed.has("--set")) {
            throw new UsageException("--regenerate, --set: give one of them");
        }
        if (parsed.has("--regenerate")) {
            VmEntry saved = context.library().regenerateMac(entry, adapter);
            context.out().println(saved.name() + " adapter " + adapter + ": " + saved.config().network.get(adapter).mac);
        } else if (parsed.has("--set")) {
            MacAddress address;
            try {
                address = MacAddress.parse(parsed.value("--set"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--set: " + e.getMessage());
            }
            if (address.isMulticast()) {
                throw new UsageException("--set: " + address + " is a multicast address; an adapter needs a unicast"
                        + " address (even first octet)");
            }
            if (!address.isLocallyAdministered()) {
                context.err().println("warning: " + address + " is a universally administered address (bit 1 of the"
                        + " first octet is clear): it belongs to a hardware maker's range and may clash with a real"
                        + " card on your network; x2:, x6:, xA: or xE: addresses are safe");
            }
            VmEntry saved = context.library().setMac(entry, adapter, address);
            context.out().println(saved.name() + " adapter " + adapter + ": " + saved.config().network.get(adapter).mac);
        } else {
            if (!entry.isReadable()) {
                throw new LibraryException(entry.errorMessage());
            }
            List<NicConfig> network = entry.config().network;
            for (int i = 0; i < network.size(); i++) {
                context.out().println(entry.name() + " adapter " + i + ": " + network.get(i).mac
                        + (network.get(i).macGenerated ? " (generated)" : " (set by hand)"));
            }
        }
        return VStationCli.EXIT_OK;
    }
}
