package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.vstation.devices.MachineConfig;

/**
 * One VM's hardware and identity, stored as {@code <name>.vstation.json} in the VM's folder.
 * The format is documented in docs/config-format.md; {@link #validate()} enforces its rules.
 */
@JsonPropertyOrder({"formatVersion", "uuid", "name", "location", "guestOs", "memoryMb", "bootOrder", "disks",
        "cdrom", "network", "display", "serial", "notes"})
public final class VmConfig extends ConfigSection {

    /** The format this version writes; files with a higher number load, and their unknown fields are kept. */
    public static final int CURRENT_FORMAT_VERSION = 1;

    public static final String FILE_SUFFIX = ".vstation.json";

    /** The machine's limits, so that every config that validates also powers on. */
    public static final int MIN_MEMORY_MB = 4;
    public static final int MAX_MEMORY_MB = MachineConfig.MAX_MEMORY_MEGABYTES;
    public static final int MIN_VIDEO_MEMORY_MB = 1;
    public static final int MAX_VIDEO_MEMORY_MB = MachineConfig.MAX_VIDEO_MEMORY_MEGABYTES;
    /** IDE primary master and slave, secondary slave: the secondary master is the CD/DVD drive. */
    public static final int MAX_DISKS = MachineConfig.DiskPosition.values().length;
    public static final int MAX_ADAPTERS = 4;
    public static final int SECTOR_SIZE = 512;

    /** Names become folder and file names, so they stay portable across file systems. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");

    public int formatVersion = CURRENT_FORMAT_VERSION;
    public UUID uuid;
    public String name;
    /**
     * The absolute folder this config was last saved in. When it differs from where the file is
     * found, the folder was moved or copied (see {@code VmLibrary}).
     */
    public String location;
    public GuestOs guestOs = GuestOs.OTHER;
    public int memoryMb = 256;
    public List<BootDevice> bootOrder = new ArrayList<>(List.of(BootDevice.CDROM, BootDevice.DISK));
    public List<DiskConfig> disks = new ArrayList<>();
    public CdromConfig cdrom = new CdromConfig();
    public List<NicConfig> network = new ArrayList<>();
    public DisplayConfig display = new DisplayConfig();
    public SerialConfig serial = new SerialConfig();
    /** Free text the user keeps about the VM (shown in the app's details); omitted from the file when null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String notes;

    public static String fileName(String vmName) {
        return vmName + FILE_SUFFIX;
    }

    /** A path as stored in the config (relative to the VM folder, or absolute) made absolute. */
    public static Path resolve(Path vmFolder, String storedPath) {
        Path path = vmFolder.getFileSystem().getPath(storedPath);
        return path.isAbsolute() ? path.normalize() : vmFolder.resolve(path).toAbsolutePath().normalize();
    }

    /**
     * How a file is stored in the config: relative to the VM folder with '/' separators when it
     * lies inside it (so the folder can move), absolute otherwise.
     */
    public static String storedPath(Path vmFolder, Path file) {
        Path folder = vmFolder.toAbsolutePath().normalize();
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.startsWith(folder) && !absolute.equals(folder)) {
            return folder.relativize(absolute).toString().replace(File.separatorChar, '/');
        }
        return absolute.toString();
    }

    public static boolean isValidName(String candidate) {
        return candidate != null && NAME.matcher(candidate).matches() && !candidate.endsWith(".");
    }

    /** Checks every rule of docs/config-format.md; the first broken one is reported. */
    public void validate() throws ConfigException {
        if (formatVersion < 1) {
            throw ConfigException.field("formatVersion", formatVersion + " is not a format version (1 or higher)");
        }
        require(uuid, "uuid", () -> "a UUID like 123e4567-e89b-12d3-a456-426614174000");
        require(name, "name", () -> "a name");
        if (!isValidName(name)) {
            throw ConfigException.field("name", "\"" + name + "\" is not a valid name"
                    + " (1 to 64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit)");
        }
        require(guestOs, "guestOs", () -> "one of " + ConfigValue.allowed(GuestOs.class));
        inRange("memoryMb", memoryMb, MIN_MEMORY_MB, MAX_MEMORY_MB);
        validateBootOrder();
        require(disks, "disks", () -> "a list (may be empty)");
        if (disks.size() > MAX_DISKS) {
            throw ConfigException.field("disks", disks.size() + " disks; at most " + MAX_DISKS
                    + " are allowed (IDE primary master and slave, secondary slave; the CD/DVD drive is the fourth)");
        }
        for (int i = 0; i < disks.size(); i++) {
            validateDisk("disks[" + i + "]", disks.get(i));
        }
        require(cdrom, "cdrom", () -> "an object");
        if (cdrom.iso != null && cdrom.iso.isBlank()) {
            throw ConfigException.field("cdrom.iso", "empty path; use null for an empty drive");
        }
        require(network, "network", () -> "a list (may be empty)");
        if (network.size() > MAX_ADAPTERS) {
            throw ConfigException.field("network", network.size() + " adapters; at most " + MAX_ADAPTERS + " are allowed");
        }
        for (int i = 0; i < network.size(); i++) {
            validateNic("network[" + i + "]", network.get(i));
        }
        require(display, "display", () -> "an object");
        inRange("display.videoMemoryMb", display.videoMemoryMb, MIN_VIDEO_MEMORY_MB, MAX_VIDEO_MEMORY_MB);
        require(serial, "serial", () -> "an object");
        require(serial.mode, "serial.mode", () -> "one of " + ConfigValue.allowed(SerialMode.class));
        if (serial.mode == SerialMode.FILE && (serial.path == null || serial.path.isBlank())) {
            throw ConfigException.field("serial.path", "missing; mode \"file\" needs the file to write to");
        }
    }

    private void validateBootOrder() throws ConfigException {
        require(bootOrder, "bootOrder", () -> "a list of " + ConfigValue.allowed(BootDevice.class));
        if (bootOrder.isEmpty()) {
            throw ConfigException.field("bootOrder", "empty; list one or more of " + ConfigValue.allowed(BootDevice.class));
        }
        Set<BootDevice> seen = EnumSet.noneOf(BootDevice.class);
        for (int i = 0; i < bootOrder.size(); i++) {
            BootDevice device = bootOrder.get(i);
            require(device, "bootOrder[" + i + "]", () -> "one of " + ConfigValue.allowed(BootDevice.class));
            if (!seen.add(device)) {
                throw ConfigException.field("bootOrder[" + i + "]", "\"" + device.id() + "\" is listed twice");
            }
        }
    }

    private static void validateDisk(String field, DiskConfig disk) throws ConfigException {
        require(disk, field, () -> "an object");
        if (disk.path == null || disk.path.isBlank()) {
            throw ConfigException.field(field + ".path", "missing; a disk needs its image file");
        }
        if (disk.sizeBytes <= 0 || disk.sizeBytes % SECTOR_SIZE != 0) {
            throw ConfigException.field(field + ".sizeBytes",
                    disk.sizeBytes + " is not a disk size (a positive multiple of " + SECTOR_SIZE + " bytes)");
        }
        require(disk.format, field + ".format", () -> "one of " + ConfigValue.allowed(DiskFormat.class));
    }

    private static void validateNic(String field, NicConfig nic) throws ConfigException {
        require(nic, field, () -> "an object");
        require(nic.model, field + ".model", () -> "one of " + ConfigValue.allowed(NicModel.class));
        require(nic.mode, field + ".mode", () -> "one of " + ConfigValue.allowed(NicMode.class));
        if (nic.mode == NicMode.BRIDGED && (nic.bridgeInterface == null || nic.bridgeInterface.isBlank())) {
            throw ConfigException.field(field + ".bridgeInterface",
                    "missing; mode \"bridged\" needs the host interface to join (e.g. eth0)");
        }
        require(nic.mac, field + ".mac", () -> "a MAC address like 02:56:53:00:00:01");
        if (nic.mac.isMulticast()) {
            throw ConfigException.field(field + ".mac", nic.mac + " is a multicast address;"
                    + " an adapter needs a unicast address (even first octet)");
        }
        validateForwards(field + ".forwards", nic.forwards);
        require(nic.hostServices, field + ".hostServices", () -> "a list of ports (may be empty)");
        for (int i = 0; i < nic.hostServices.size(); i++) {
            Integer port = nic.hostServices.get(i);
            require(port, field + ".hostServices[" + i + "]", () -> "a port 1-65535");
            inRange(field + ".hostServices[" + i + "]", port, 1, 65535);
        }
    }

    private static void validateForwards(String field, List<PortForwardConfig> forwards) throws ConfigException {
        require(forwards, field, () -> "a list of port forwards (may be empty)");
        Set<Integer> hostPorts = new HashSet<>();
        for (int i = 0; i < forwards.size(); i++) {
            String at = field + "[" + i + "]";
            PortForwardConfig forward = forwards.get(i);
            require(forward, at, () -> "an object with hostPort and guestPort");
            if (!PortForwardConfig.TCP.equals(forward.protocol)) {
                throw ConfigException.field(at + ".protocol", "\"" + forward.protocol + "\" is not one of tcp");
            }
            require(forward.hostAddress, at + ".hostAddress", () -> "an IPv4 address like 127.0.0.1");
            if (!forward.hostAddress.matches("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}")) {
                throw ConfigException.field(at + ".hostAddress", "\"" + forward.hostAddress
                        + "\" is not an IPv4 address like 127.0.0.1 (or 0.0.0.0 for every interface)");
            }
            inRange(at + ".hostPort", forward.hostPort, 1, 65535);
            inRange(at + ".guestPort", forward.guestPort, 1, 65535);
            if (!hostPorts.add(forward.hostPort)) {
                throw ConfigException.field(at + ".hostPort", forward.hostPort + " is forwarded twice");
            }
        }
    }

    /** The expected text is built only for the error: validation runs for every VM of a large library. */
    private static void require(Object value, String field, Supplier<String> expected) throws ConfigException {
        if (value == null) {
            throw ConfigException.field(field, "missing; expected " + expected.get());
        }
    }

    private static void inRange(String field, int value, int min, int max) throws ConfigException {
        if (value < min || value > max) {
            throw ConfigException.field(field, value + " is out of range (" + min + " to " + max + ")");
        }
    }
}
