package org.vstation.manager.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.library.MovedOrCopiedException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.mac.MacRegistry;

/**
 * {@code vstation list}: every VM of the library, one per line. A VM that cannot be read is
 * listed too (state "error") and the reason goes to stderr, so one broken folder never hides the
 * others. Duplicate MAC addresses and folders moved or copied by hand are reported on stderr.
 */
final class ListCommand implements Command {

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String help() {
        return "list the VMs of the library, with state, memory, NIC mode and MAC";
    }

    @Override
    public String usage() {
        return """
                usage: vstation list [--json]
                  --json  one JSON array: name, folder, state, uuid, guestOs, memoryMb, network (mode, mac), problems, error""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of(), Set.of("--json"));
        parsed.expectPositional();
        VmLibrary library = context.library();
        List<VmEntry> entries = library.entries();
        if (parsed.has("--json")) {
            ArrayNode list = Json.MAPPER.createArrayNode();
            for (VmEntry entry : entries) {
                list.add(summary(entry));
            }
            context.out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(list));
        } else {
            printTable(entries, context);
        }
        reportProblems(library, entries, context);
        return VStationCli.EXIT_OK;
    }

    static ObjectNode summary(VmEntry entry) throws IOException {
        ObjectNode vm = Json.MAPPER.createObjectNode();
        vm.put("name", entry.name());
        vm.put("folder", entry.folder().toString());
        vm.put("state", VmText.state(entry));
        if (entry.isReadable()) {
            vm.put("uuid", entry.config().uuid.toString());
            vm.put("guestOs", entry.config().guestOs.id());
            vm.put("memoryMb", entry.config().memoryMb);
            ArrayNode network = vm.putArray("network");
            for (NicConfig nic : entry.config().network) {
                network.addObject().put("present", nic.present).put("mode", nic.mode.id()).put("mac", nic.mac.toString());
            }
        }
        ArrayNode problems = vm.putArray("problems");
        entry.problems().forEach(problems::add);
        vm.put("error", entry.errorMessage());
        return vm;
    }

    private static void printTable(List<VmEntry> entries, CliContext context) throws IOException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATE", "MEMORY", "NIC", "MAC", "OS"});
        for (VmEntry entry : entries) {
            if (!entry.isReadable()) {
                rows.add(new String[] {entry.name(), VmText.state(entry), "-", "-", "-", "-"});
                continue;
            }
            NicConfig nic = entry.config().network.isEmpty() ? null : entry.config().network.getFirst();
            rows.add(new String[] {entry.name(), VmText.state(entry), entry.config().memoryMb + " MB",
                    nic == null ? "-" : nic.mode.id(), nic == null ? "-" : nic.mac.toString(),
                    entry.config().guestOs.id()});
        }
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.length; column++) {
                line.append(row[column]);
                if (column < row.length - 1) {
                    line.append(" ".repeat(widths[column] - row[column].length() + 2));
                }
            }
            context.out().println(line);
        }
    }

    /** Everything the user should fix, one line each on stderr. */
    static void reportProblems(VmLibrary library, List<VmEntry> entries, CliContext context) {
        if (library.indexProblem() != null) {
            context.err().println("error: " + library.indexProblem());
        }
        for (VmEntry entry : entries) {
            if (!entry.isReadable()) {
                context.err().println("error: " + entry.errorMessage());
            } else if (entry.relocation() == VmEntry.Relocation.MOVED_OR_COPIED) {
                context.err().println("warning: " + new MovedOrCopiedException(entry.name(), entry.folder(),
                        entry.savedLocation()).getMessage());
            }
            for (String problem : entry.problems()) {
                context.err().println("warning: " + entry.name() + ": " + problem);
            }
        }
        for (MacRegistry.Duplicate duplicate : library.duplicateMacs()) {
            boolean awaitsAnswer = duplicate.owners().stream().anyMatch(owner -> entries.stream().anyMatch(
                    entry -> entry.folder().equals(owner.vmFolder())
                            && entry.relocation() == VmEntry.Relocation.MOVED_OR_COPIED));
            context.err().println("warning: MAC " + duplicate.address() + " is used by "
                    + library.describeOwners(duplicate.address()) + (awaitsAnswer
                    ? "; answering \"copied\" above gives the copy a new one"
                    : "; give one a new address with: vstation mac " + duplicate.owners().getLast().vmName()
                    + " --regenerate"));
        }
    }
}
