package org.vstation.manager.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.net.NetworkBackend;
import org.vstation.devices.storage.BlockImage;
import org.vstation.devices.storage.ImageException;
import org.vstation.devices.storage.IsoImage;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.devices.timer.Mc146818Rtc;
import org.vstation.manager.config.BootDevice;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.mac.MacAddress;
import org.vstation.manager.mac.MacGenerator;
import org.vstation.manager.net.BridgedNetworkException;
import org.vstation.manager.net.NetworkBackends;

/**
 * Turns run options into a powered-off {@link Machine}, reading and checking
 * every file first so the user hears about a bad one before anything runs.
 * The headless runner, the library's {@code run NAME} and the desktop app all
 * build machines here.
 */
public final class VmLauncher {
    private VmLauncher() {
    }

    public static Machine build(String name, RunOptions options) throws UsageException {
        MachineConfig config = new MachineConfig()
                .memoryMegabytes(options.memoryMegabytes())
                .videoMemoryMegabytes(options.videoMemoryMegabytes())
                .biosImage(readFirmware(options.bios()))
                .vgaBiosImage(readVgaBios(options.bios()))
                .uuid(options.uuid());
        if (!options.bootOrder().isEmpty()) {
            config.bootOrder(options.bootOrder().stream().map(VmLauncher::firmwareBootDevice).toList());
        }
        List<BlockImage> opened = new ArrayList<>();
        NetworkBackend network = null;
        try {
            MachineConfig.DiskPosition[] positions = MachineConfig.DiskPosition.values();
            for (int i = 0; i < options.disks().size(); i++) {
                BlockImage disk = RawDiskImage.open(options.disks().get(i));
                opened.add(disk);
                config.diskImage(positions[i], disk);
            }
            if (options.iso() != null) {
                BlockImage iso = IsoImage.open(options.iso());
                opened.add(iso);
                config.cdromImage(iso);
            }
            // The network adapter: an RTL8139 unless --nic none, with its backend per mode (manager.net).
            if (!options.nicMode().equals("none")) {
                network = NetworkBackends.create(options.nicMode(), networkOptions(name, options));
                config.nicMac(macBytes(options.macAddress() != null
                        ? MacAddress.parse(options.macAddress())
                        : MacGenerator.derive(UUID.randomUUID(), 0, 0)));
            }
            Machine machine = new Machine(name, config, X86Cpu::new);
            if (network != null) {
                machine.switchNetwork(network);
            }
            return machine;
        } catch (ImageException e) {
            opened.forEach(VmLauncher::closeQuietly);
            throw new UsageException(e.getMessage());
        } catch (BridgedNetworkException e) {
            opened.forEach(VmLauncher::closeQuietly);
            throw new UsageException("--nic bridged: " + e.getMessage());
        } catch (UncheckedIOException e) {
            opened.forEach(VmLauncher::closeQuietly);
            throw new UsageException("--forward: " + e.getMessage());
        } catch (RuntimeException e) {
            opened.forEach(VmLauncher::closeQuietly);
            if (network != null) {
                network.close();
            }
            throw e;
        }
    }

    /** The CMOS code SeaBIOS reads for each device of the config's vocabulary. */
    private static Mc146818Rtc.BootDevice firmwareBootDevice(BootDevice device) {
        return switch (device) {
            case CDROM -> Mc146818Rtc.BootDevice.CD_ROM;
            case DISK -> Mc146818Rtc.BootDevice.HARD_DISK;
            case NETWORK -> Mc146818Rtc.BootDevice.NETWORK;
        };
    }

    /** The backend settings of these options: the bridge, NAT forwards and host-only host services. */
    static NetworkBackends.Options networkOptions(String name, RunOptions options) {
        return NetworkBackends.Options.defaults(name).withBridge(options.bridgeInterface())
                .withNatForwards(options.forwards()).withHostServices(options.hostServices());
    }

    private static void closeQuietly(BlockImage image) {
        if (image != null) {
            try {
                image.close();
            } catch (IOException ignored) {
                // reporting the error that made us give up matters more
            }
        }
    }

    private static byte[] macBytes(MacAddress mac) {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) mac.octet(i);
        }
        return bytes;
    }

    /** SeaVGABIOS, taken from beside the system BIOS (the firmware cache keeps them together). */
    private static byte[] readVgaBios(Path bios) throws UsageException {
        Path vgaBios = bios.resolveSibling(FirmwareCache.VGA_BIOS);
        if (!Files.isRegularFile(vgaBios)) {
            throw new UsageException("no VGA BIOS beside " + bios + " (expected " + vgaBios
                    + "); run ./vstation fetch-firmware");
        }
        try {
            return Files.readAllBytes(vgaBios);
        } catch (IOException e) {
            throw new UsageException("cannot read VGA BIOS " + vgaBios + ": " + e.getMessage());
        }
    }

    private static byte[] readFirmware(Path path) throws UsageException {
        byte[] image;
        try {
            image = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UsageException("cannot read BIOS image " + path + ": " + e.getMessage());
        }
        if (image.length == 0 || image.length % 0x10000 != 0 || image.length > 16 << 20) {
            throw new UsageException("BIOS image " + path + " is " + image.length
                    + " bytes; a BIOS image is a multiple of 64 KiB (is it corrupt? run ./vstation fetch-firmware)");
        }
        return image;
    }
}
