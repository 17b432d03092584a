package org.vstation.manager.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.vstation.devices.MachineConfig;
import org.vstation.manager.config.BootDevice;
import org.vstation.manager.config.ConfigValue;
import org.vstation.manager.net.PortForward;

/**
 * What {@code vstation run --headless} was asked to do. Parsing checks every
 * value and every file, so a mistake is reported before the VM powers on.
 *
 * @param bios        the system BIOS image (defaults to the fetched SeaBIOS)
 * @param disks       hard disk images: IDE primary master, primary slave, secondary slave (the CD is the secondary master)
 * @param bootOrder   the firmware's boot order; empty for the machine's default (QEMU's: disk, then CD)
 * @param uuid        the VM's UUID for the firmware (SMBIOS), or null for none
 * @param videoMemoryMegabytes the VGA's video memory, a power of two
 * @param macAddress  the NIC's MAC as aa:bb:cc:dd:ee:ff, or null for a generated one
 * @param serial      where COM1 output goes: a file, or null for standard output when {@code serialToStdout}
 * @param until       stop successfully when this text appears on COM1 or the debug console; null for never
 * @param timeout     give up after this long; null for no limit
 * @param forwards    host TCP ports carried to the guest while its adapter is in NAT mode
 * @param hostServices host loopback ports the guest reaches at the host endpoint while in host-only mode
 * @param monitor     read CD/DVD media commands ({@code change}, {@code eject}) from standard input while running
 */
public record RunOptions(
        int memoryMegabytes,
        Path bios,
        Path iso,
        List<Path> disks,
        List<BootDevice> bootOrder,
        UUID uuid,
        int videoMemoryMegabytes,
        String nicMode,
        String macAddress,
        String bridgeInterface,
        Path serial,
        boolean serialToStdout,
        Path debugcon,
        boolean debugconToStdout,
        String until,
        Duration timeout,
        Path screenshot,
        List<PortForward> forwards,
        List<Integer> hostServices,
        boolean monitor) {

    public static final List<String> NIC_MODES = List.of("nat", "hostonly", "bridged", "none");

    /** Hard disks the IDE channels hold beside the CD/DVD drive. */
    public static final int MAX_DISKS = MachineConfig.DiskPosition.values().length;

    /** The runner's options, for {@code run}'s help and for an unknown option. */
    public static final String USAGE = """
            usage: vstation run --headless [--memory MB] [--iso FILE] [--disk FILE]... [--boot cdrom,disk,network]
                                [--nic nat|hostonly|bridged|none] [--mac aa:bb:cc:dd:ee:ff] [--bridge IFACE]
                                [--forward tcp:HOSTPORT:GUESTPORT]... [--host-service PORT]...
                                [--uuid UUID] [--video MB] [--bios FILE] [--serial FILE|-] [--debugcon FILE|-]
                                [--until TEXT] [--timeout SECONDS] [--screenshot FILE.png] [--monitor]
              --monitor  read media commands from standard input while the VM runs:
                         change [-f] ISO, eject [-f] (-f: even if the guest has locked the drive)""";

    /** Parses the arguments after "run"; {@code defaultBios} is used when --bios is absent. */
    public static RunOptions parse(List<String> args, Path defaultBios) throws UsageException {
        int memory = 128;
        Path bios = null;
        Path iso = null;
        List<Path> disks = new ArrayList<>();
        List<BootDevice> bootOrder = List.of();
        UUID uuid = null;
        int video = 16;
        String nic = "none";
        String mac = null;
        String bridge = null;
        Path serial = null;
        boolean serialStdout = false;
        Path debugcon = null;
        boolean debugconStdout = false;
        String until = null;
        Duration timeout = null;
        Path screenshot = null;
        boolean headless = false;
        List<PortForward> forwards = new ArrayList<>();
        List<Integer> hostServices = new ArrayList<>();
        boolean monitor = false;

        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            switch (option) {
                case "--headless" -> headless = true;
                case "--monitor" -> monitor = true;
                case "--memory" -> memory = parseInt(option, value(args, ++i, option), 1,
                        MachineConfig.MAX_MEMORY_MEGABYTES);
                case "--bios" -> bios = existingFile(option, value(args, ++i, option));
                case "--iso" -> iso = existingFile(option, value(args, ++i, option));
                case "--disk" -> {
                    Path disk = existingFile(option, value(args, ++i, option));
                    if (disks.size() == MAX_DISKS) {
                        throw new UsageException("--disk: at most " + MAX_DISKS + " disks (IDE primary master and"
                                + " slave, secondary slave; the CD/DVD drive is the secondary master)");
                    }
                    if (!Files.isWritable(disk)) {
                        throw new UsageException("--disk: " + disk + " is not writable");
                    }
                    disks.add(disk);
                }
                case "--boot" -> bootOrder = bootOrder(value(args, ++i, option));
                case "--uuid" -> {
                    String text = value(args, ++i, option);
                    try {
                        uuid = UUID.fromString(text);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--uuid: '" + text + "' is not a UUID like 6454900d-04d6-4000-b96b-87e89803351d");
                    }
                }
                case "--video" -> {
                    // Rounded up to a power of two (the size of the VGA's BAR0), as QEMU does with vgamem_mb.
                    int megabytes = parseInt(option, value(args, ++i, option), 1, MachineConfig.MAX_VIDEO_MEMORY_MEGABYTES);
                    video = Integer.bitCount(megabytes) == 1 ? megabytes : Integer.highestOneBit(megabytes) << 1;
                }
                case "--nic" -> {
                    nic = value(args, ++i, option);
                    if (!NIC_MODES.contains(nic)) {
                        throw new UsageException("--nic: '" + nic + "' is not one of " + String.join(", ", NIC_MODES));
                    }
                }
                case "--mac" -> {
                    mac = value(args, ++i, option).toLowerCase();
                    if (!mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
                        throw new UsageException("--mac: '" + mac + "' is not six hex octets like 02:56:53:00:00:01");
                    }
                }
                case "--bridge" -> bridge = value(args, ++i, option);
                case "--forward" -> {
                    PortForward forward;
                    try {
                        forward = PortForward.parse(value(args, ++i, option));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--forward: " + e.getMessage());
                    }
                    for (PortForward other : forwards) {
                        if (other.hostPort() == forward.hostPort()) {
                            throw new UsageException("--forward: host port " + forward.hostPort() + " is forwarded twice");
                        }
                    }
                    forwards.add(forward);
                }
                case "--host-service" -> {
                    int port = parseInt(option, value(args, ++i, option), 1, 65535);
                    if (!hostServices.contains(port)) {
                        hostServices.add(port);
                    }
                }
                case "--serial" -> {
                    String target = value(args, ++i, option);
                    serialStdout = target.equals("-");
                    serial = serialStdout ? null : writableFile(option, target);
                }
                case "--debugcon" -> {
                    String target = value(args, ++i, option);
                    debugconStdout = target.equals("-");
                    debugcon = debugconStdout ? null : writableFile(option, target);
                }
                case "--until" -> {
                    until = value(args, ++i, option);
                    if (until.isEmpty()) {
                        throw new UsageException("--until: the text to wait for is empty");
                    }
                }
                case "--timeout" -> timeout = Duration.ofSeconds(parseInt(option, value(args, ++i, option), 1, 86_400));
                case "--screenshot" -> {
                    String target = value(args, ++i, option);
                    if (!target.toLowerCase().endsWith(".png")) {
                        throw new UsageException("--screenshot: '" + target + "' must end in .png");
                    }
                    screenshot = writableFile(option, target);
                }
                default -> throw new UsageException("unknown option '" + option + "'\n" + USAGE);
            }
        }
        if (!headless) {
            throw new UsageException("run without a VM name needs --headless (the console window opens from the app)");
        }
        if (bios == null) {
            if (defaultBios == null || !Files.isRegularFile(defaultBios)) {
                throw new UsageException("no BIOS firmware found" + (defaultBios == null ? "" : " at " + defaultBios)
                        + "; run ./vstation fetch-firmware, or pass --bios FILE");
            }
            bios = defaultBios;
        }
        return new RunOptions(memory, bios, iso, List.copyOf(disks), bootOrder, uuid, video, nic, mac, bridge, serial,
                serialStdout, debugcon, debugconStdout, until, timeout, screenshot, List.copyOf(forwards),
                List.copyOf(hostServices), monitor);
    }

    /** "cdrom,disk": the devices of the VM config's bootOrder, most preferred first, none twice. */
    private static List<BootDevice> bootOrder(String text) throws UsageException {
        List<BootDevice> order = new ArrayList<>();
        for (String name : text.split(",", -1)) {
            BootDevice device;
            try {
                device = BootDevice.of(name.strip());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--boot: '" + name + "' is not one of " + ConfigValue.allowed(BootDevice.class));
            }
            if (order.contains(device)) {
                throw new UsageException("--boot: '" + device.id() + "' is listed twice");
            }
            order.add(device);
        }
        return List.copyOf(order);
    }

    private static String value(List<String> args, int index, String option) throws UsageException {
        if (index >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(index);
    }

    private static int parseInt(String option, String text, int min, int max) throws UsageException {
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new UsageException(option + ": " + value + " is outside " + min + "-" + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a whole number");
        }
    }

    private static Path existingFile(String option, String text) throws UsageException {
        Path path = Path.of(text);
        if (!Files.isRegularFile(path)) {
            throw new UsageException(option + ": file not found: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new UsageException(option + ": file not readable: " + path);
        }
        return path;
    }

    private static Path writableFile(String option, String text) throws UsageException {
        Path path = Path.of(text).toAbsolutePath();
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException(option + ": folder does not exist: " + parent);
        }
        return path;
    }
}
