package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vstation.manager.config.ConfigStore;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLog;
import org.vstation.manager.net.PortForward;

/**
 * {@code vstation set NAME key=value...}: changes any field of the config by its JSON path
 * ({@code memoryMb}, {@code network[0].mode}, {@code display.videoMemoryMb}) or a short alias.
 * All changes are checked together and saved at once, or none is.
 */
final class SetCommand implements Command {

    private static final Map<String, String> ALIASES = Map.of(
            "memory", "memoryMb",
            "os", "guestOs",
            "boot", "bootOrder",
            "iso", "cdrom.iso",
            "video", "display.videoMemoryMb",
            "nic", "network[0].mode",
            "bridge", "network[0].bridgeInterface");

    /** Fields with a command of their own, which keeps the library consistent. */
    private static final Map<String, String> OWN_COMMAND = Map.of(
            "name", "use: vstation rename",
            "uuid", "a VM's UUID changes only when it is cloned or imported as a copy",
            "location", "VStation records the folder itself",
            "formatVersion", "VStation writes the format version itself",
            "mac", "use: vstation mac NAME --set ADDR | --regenerate",
            "macGenerated", "use: vstation mac NAME --set ADDR | --regenerate",
            "sizeBytes", "the size is the image file's; VStation cannot resize disk images yet");

    private static final String SERIAL = "serial";
    private static final String FORWARDS = "forwards";
    private static final String HOST_SERVICES = "host-services";
    private static final Set<String> PATH_FIELDS = Set.of("cdrom.iso");

    @Override
    public String name() {
        return "set";
    }

    @Override
    public String help() {
        return "change settings: key=value (memory, os, boot, iso, video, nic, bridge, serial, forwards, host-services,"
                + " or any field path)";
    }

    @Override
    public String usage() {
        return """
                usage: vstation set NAME key=value...
                  memory=MB          guest memory (memoryMb)
                  os=TYPE            guest OS type (guestOs)
                  boot=DEV,DEV       boot order: cdrom, disk, network (bootOrder)
                  iso=FILE|none      the CD/DVD drive's ISO (cdrom.iso)
                  video=MB           video memory (display.videoMemoryMb)
                  nic=MODE           adapter 0's mode: nat, hostonly, bridged, none (network[0].mode)
                  bridge=IFACE       adapter 0's host interface when bridged (network[0].bridgeInterface)
                  serial=FILE|none   COM1 to a file (relative to the VM folder) or nowhere
                  forwards=tcp:HOSTPORT:GUESTPORT,...|none   adapter 0's NAT port forwards (network[0].forwards)
                  host-services=PORT,...|none  host ports adapter 0 reaches in host-only mode (network[0].hostServices)
                Any other field by its path in the config file, e.g. cdrom.connectAtPowerOn=false,
                network[1].present=false (see docs/config-format.md).""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        if (args.size() < 2) {
            throw new UsageException(args.isEmpty() ? "NAME: missing" : "key=value: missing");
        }
        VmEntry entry = context.findVm(args.getFirst());
        if (!entry.isReadable()) {
            throw new LibraryException(entry.errorMessage());
        }
        ObjectNode tree = (ObjectNode) ConfigStore.toTree(entry.config());
        List<String> assignments = args.subList(1, args.size());
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw new UsageException(assignment + ": expected key=value");
            }
            apply(tree, assignment.substring(0, equals), assignment.substring(equals + 1), entry, context);
        }
        VmConfig edited = ConfigStore.fromTree(tree);
        VmEntry saved = context.library().update(entry, current -> edited);
        VmLog log = new VmLog(saved.folder());
        for (String assignment : assignments) {
            log.config("set " + assignment);
        }
        context.out().println("Updated " + saved.name());
        return VStationCli.EXIT_OK;
    }

    private static void apply(ObjectNode tree, String key, String value, VmEntry entry, CliContext context)
            throws UsageException {
        if (key.equals(SERIAL)) {
            ObjectNode serial = (ObjectNode) tree.get(SERIAL);
            if (value.equals("none")) {
                serial.put("mode", "none");
            } else {
                serial.put("mode", "file").put("path", value);
            }
            return;
        }
        if (key.equals(FORWARDS) || key.equals(HOST_SERVICES)) {
            setFirstAdapterList(tree, key, value);
            return;
        }
        String path = ALIASES.getOrDefault(key, key);
        String lastStep = path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        if (OWN_COMMAND.containsKey(lastStep)) {
            throw new UsageException(key + ": cannot be set here; " + OWN_COMMAND.get(lastStep));
        }
        String[] steps = path.split("\\.");
        JsonNode container = tree;
        for (int i = 0; i < steps.length - 1; i++) {
            container = step(container, steps[i], key);
        }
        String last = steps[steps.length - 1];
        if (last.contains("[")) {
            throw new UsageException(key + ": is a list entry; set one of its fields, or the whole list");
        }
        if (!(container instanceof ObjectNode object) || !object.has(last)) {
            throw new UsageException(key + ": unknown key (see vstation set --help)");
        }
        object.set(last, convert(object.get(last), path, key, value, entry, context));
    }

    /** Adapter 0's port forwards (in the runner's {@code --forward} syntax) or host services, replaced whole. */
    private static void setFirstAdapterList(ObjectNode tree, String key, String value) throws UsageException {
        JsonNode adapters = tree.get("network");
        if (adapters == null || adapters.isEmpty()) {
            throw new UsageException(key + ": the VM has no network adapter");
        }
        ObjectNode adapter = (ObjectNode) adapters.get(0);
        ArrayNode list = adapter.putArray(key.equals(FORWARDS) ? "forwards" : "hostServices");
        if (value.equals("none") || value.isEmpty()) {
            return;
        }
        for (String item : value.split(",")) {
            if (key.equals(FORWARDS)) {
                PortForward forward;
                try {
                    forward = PortForward.parse(item.strip());
                } catch (IllegalArgumentException e) {
                    throw new UsageException(key + ": " + e.getMessage());
                }
                list.addObject().put("protocol", "tcp").put("hostAddress", forward.bindAddress())
                        .put("hostPort", forward.hostPort()).put("guestPort", forward.guestPort());
            } else {
                try {
                    list.add(Integer.parseInt(item.strip()));
                } catch (NumberFormatException e) {
                    throw new UsageException(key + ": \"" + item + "\" is not a port number");
                }
            }
        }
    }

    /** One step down a path: {@code name}, {@code name[2]} or {@code [2]}. */
    private static JsonNode step(JsonNode node, String step, String key) throws UsageException {
        int bracket = step.indexOf('[');
        String field = bracket < 0 ? step : step.substring(0, bracket);
        JsonNode next = field.isEmpty() ? node : node.get(field);
        if (next == null) {
            throw new UsageException(key + ": unknown key (see vstation set --help)");
        }
        if (bracket >= 0) {
            int index;
            try {
                index = Integer.parseInt(step.substring(bracket + 1, step.length() - 1));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new UsageException(key + ": bad index in \"" + step + "\"");
            }
            if (!next.isArray() || index < 0 || index >= next.size()) {
                throw new UsageException(key + ": no entry " + index + " in " + field);
            }
            next = next.get(index);
        }
        return next;
    }

    private static JsonNode convert(JsonNode current, String path, String key, String value, VmEntry entry,
                                    CliContext context) throws UsageException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (current.isNumber()) {
            try {
                return nodes.numberNode(Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new UsageException(key + ": \"" + value + "\" is not a whole number");
            }
        }
        if (current.isBoolean()) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new UsageException(key + ": \"" + value + "\" is not true or false");
            }
            return nodes.booleanNode(Boolean.parseBoolean(value));
        }
        if (current.isArray()) {
            ArrayNode list = nodes.arrayNode();
            for (String item : value.split(",")) {
                list.add(item.strip());
            }
            return list;
        }
        if (current.isObject()) {
            throw new UsageException(key + ": is a section; set one of its fields (see docs/config-format.md)");
        }
        if (PATH_FIELDS.contains(path)) {
            if (value.isEmpty() || value.equals("none")) {
                return nodes.nullNode();
            }
            return nodes.textNode(VmConfig.storedPath(entry.folder(), context.resolve(value)));
        }
        return value.equals("null") ? nodes.nullNode() : nodes.textNode(value);
    }
}
