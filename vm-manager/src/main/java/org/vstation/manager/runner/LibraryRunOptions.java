package org.vstation.manager.runner;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.vstation.manager.config.BootDevice;
import org.vstation.manager.config.DiskConfig;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.SerialMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.VmEntry;

/**
 * A library VM's config as the runner's options ({@code --memory --iso --disk… --boot --uuid --video
 * --nic --mac --bridge --forward --host-service --serial}): the one translation {@code vstation run NAME}
 * and the desktop app both use. Disks go in config order onto the IDE primary master, primary slave and
 * secondary slave.
 */
public final class LibraryRunOptions {
    public static final String HEADLESS = "--headless";

    private LibraryRunOptions() {
    }

    /** The runner options for this VM, then {@code extra}; generated options that extra also gives are left out. */
    public static List<String> of(VmEntry entry, List<String> extra) {
        Set<String> given = new HashSet<>();
        for (String option : extra) {
            if (option.startsWith("--")) {
                given.add(option.contains("=") ? option.substring(0, option.indexOf('=')) : option);
            }
        }
        VmConfig config = entry.config();
        List<String> options = new ArrayList<>();
        options.add(HEADLESS);
        add(options, given, "--memory", Integer.toString(config.memoryMb));
        if (config.cdrom.iso != null && config.cdrom.connectAtPowerOn) {
            add(options, given, "--iso", VmConfig.resolve(entry.folder(), config.cdrom.iso).toString());
        }
        if (!given.contains("--disk")) {
            for (DiskConfig disk : config.disks) {
                options.add("--disk");
                options.add(VmConfig.resolve(entry.folder(), disk.path).toString());
            }
        }
        add(options, given, "--boot", config.bootOrder.stream().map(BootDevice::id).collect(Collectors.joining(",")));
        add(options, given, "--uuid", config.uuid.toString());
        add(options, given, "--video", Integer.toString(config.display.videoMemoryMb));
        NicConfig nic = firstAdapter(config);
        add(options, given, "--nic", nic == null ? NicMode.NONE.id() : nic.mode.id());
        if (nic != null && nic.mac != null) {
            add(options, given, "--mac", nic.mac.toString());
        }
        if (nic != null && nic.mode == NicMode.BRIDGED && nic.bridgeInterface != null) {
            add(options, given, "--bridge", nic.bridgeInterface);
        }
        if (nic != null && !given.contains("--forward")) {
            nic.forwards.forEach(forward -> options.addAll(List.of("--forward", forward.spec())));
        }
        if (nic != null && !given.contains("--host-service")) {
            nic.hostServices.forEach(port -> options.addAll(List.of("--host-service", port.toString())));
        }
        if (config.serial.mode == SerialMode.FILE) {
            add(options, given, "--serial", VmConfig.resolve(entry.folder(), config.serial.path).toString());
        }
        options.addAll(extra);
        return options;
    }

    /** The adapter the runner attaches: the first one present, or null. */
    public static NicConfig firstAdapter(VmConfig config) {
        return config.network.stream().filter(adapter -> adapter.present).findFirst().orElse(null);
    }

    private static void add(List<String> options, Set<String> given, String option, String value) {
        if (!given.contains(option)) {
            options.add(option);
            options.add(value);
        }
    }
}
