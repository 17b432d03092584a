package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.List;
import java.util.Set;
import org.vstation.manager.config.ConfigValue;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.NewVm;
import org.vstation.manager.library.VmEntry;

/** {@code vstation create NAME ...}: a new VM folder with a config, a sparse disk and a unique MAC. */
final class CreateCommand implements Command {

    @Override
    public String name() {
        return "create";
    }

    @Override
    public String help() {
        return "create a VM";
    }

    @Override
    public String usage() {
        return """
                usage: vstation create NAME [--memory MB] [--disk-size SIZE] [--iso FILE] [--nic MODE] [--bridge IFACE] [--os TYPE]
                  --memory MB       guest memory, %d to %d (default 256)
                  --disk-size SIZE  a new raw disk image, like 8G or 512M (default 8G; 0 for no disk)
                  --iso FILE        an ISO image in the CD/DVD drive (default: empty drive)
                  --nic MODE        %s (default nat)
                  --bridge IFACE    the host interface a bridged adapter joins (needed with --nic bridged)
                  --os TYPE         %s (default other)"""
                .formatted(VmConfig.MIN_MEMORY_MB, VmConfig.MAX_MEMORY_MB, ConfigValue.allowed(NicMode.class),
                        ConfigValue.allowed(GuestOs.class));
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of("--memory", "--disk-size", "--iso", "--nic", "--bridge", "--os"),
                Set.of());
        String vmName = parsed.expectPositional("NAME").getFirst();
        NewVm spec = NewVm.withDefaults(vmName);
        int memory = parsed.intValue("--memory", spec.memoryMb());
        if (memory < VmConfig.MIN_MEMORY_MB || memory > VmConfig.MAX_MEMORY_MB) {
            throw new UsageException("--memory: " + memory + " is out of range (" + VmConfig.MIN_MEMORY_MB + " to "
                    + VmConfig.MAX_MEMORY_MB + " MB)");
        }
        spec = spec.withMemoryMb(memory);
        if (parsed.value("--disk-size") != null) {
            long size = VmText.parseSize("--disk-size", parsed.value("--disk-size"));
            if (size % VmConfig.SECTOR_SIZE != 0) {
                throw new UsageException("--disk-size: " + size + " bytes is not a whole number of 512-byte sectors");
            }
            spec = spec.withDiskSizeBytes(size);
        }
        if (parsed.value("--iso") != null) {
            spec = spec.withIso(context.resolve(parsed.value("--iso")));
        }
        if (parsed.value("--nic") != null) {
            spec = spec.withNicMode(choice("--nic", NicMode.class, parsed.value("--nic")));
        }
        if (parsed.value("--bridge") != null) {
            spec = spec.withBridgeInterface(parsed.value("--bridge"));
        }
        if (spec.nicMode() == NicMode.BRIDGED && spec.bridgeInterface() == null) {
            throw new UsageException("--bridge: missing; --nic bridged needs the host interface to join (e.g. eth0)");
        }
        if (parsed.value("--os") != null) {
            spec = spec.withGuestOs(choice("--os", GuestOs.class, parsed.value("--os")));
        }
        VmEntry created = context.library().create(spec);
        context.out().println("Created " + created.name() + " in " + created.folder() + " (MAC "
                + created.config().network.getFirst().mac + ")");
        return VStationCli.EXIT_OK;
    }

    static <E extends Enum<E> & ConfigValue> E choice(String option, Class<E> type, String text) throws UsageException {
        try {
            return ConfigValue.parse(type, text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }
}
