package org.vstation.manager.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.vstation.manager.config.BootDevice;
import org.vstation.manager.config.ConfigStore;
import org.vstation.manager.config.DiskConfig;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.SerialMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;

/** {@code vstation show NAME}: every setting of one VM. */
final class ShowCommand implements Command {

    @Override
    public String name() {
        return "show";
    }

    @Override
    public String help() {
        return "show a VM's settings";
    }

    @Override
    public String usage() {
        return """
                usage: vstation show NAME [--json]
                  --json  {"name", "folder", "state", "problems", "config": the whole config file}""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of(), Set.of("--json"));
        VmEntry entry = context.findVm(parsed.expectPositional("NAME").getFirst());
        if (!entry.isReadable()) {
            throw new LibraryException(entry.errorMessage());
        }
        if (parsed.has("--json")) {
            ObjectNode vm = Json.MAPPER.createObjectNode();
            vm.put("name", entry.name());
            vm.put("folder", entry.folder().toString());
            vm.put("state", VmText.state(entry));
            entry.problems().forEach(vm.putArray("problems")::add);
            vm.set("config", ConfigStore.toTree(entry.config()));
            context.out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(vm));
        } else {
            print(entry, context.out());
            for (String problem : entry.problems()) {
                context.err().println("warning: " + entry.name() + ": " + problem);
            }
        }
        return VStationCli.EXIT_OK;
    }

    private static void print(VmEntry entry, PrintStream out) throws IOException {
        VmConfig config = entry.config();
        line(out, "name", config.name);
        line(out, "uuid", config.uuid.toString());
        line(out, "folder", entry.folder().toString());
        line(out, "state", VmText.state(entry));
        line(out, "os", config.guestOs.id());
        line(out, "memory", config.memoryMb + " MB");
        line(out, "boot order", config.bootOrder.stream().map(BootDevice::id).collect(Collectors.joining(", ")));
        for (int i = 0; i < config.disks.size(); i++) {
            DiskConfig disk = config.disks.get(i);
            line(out, "disk " + i, disk.path + " (" + VmText.size(disk.sizeBytes) + ", " + disk.format.id() + ")");
        }
        line(out, "cd/dvd", config.cdrom.iso == null ? "empty"
                : config.cdrom.iso + (config.cdrom.connectAtPowerOn ? "" : " (not connected at power on)"));
        for (int i = 0; i < config.network.size(); i++) {
            NicConfig nic = config.network.get(i);
            String mode = nic.mode == NicMode.BRIDGED ? "bridged to " + nic.bridgeInterface : nic.mode.id();
            line(out, "nic " + i, nic.model.id() + ", " + mode + ", " + nic.mac
                    + (nic.macGenerated ? " (generated)" : " (set by hand)") + (nic.present ? "" : ", removed"));
        }
        line(out, "video memory", config.display.videoMemoryMb + " MB");
        line(out, "serial", config.serial.mode == SerialMode.FILE ? "file " + config.serial.path : "none");
    }

    private static void line(PrintStream out, String label, String value) {
        out.printf("%-13s %s%n", label + ":", value);
    }
}
