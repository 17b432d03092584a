package org.vstation.manager.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import java.util.UUID;
import org.vstation.devices.net.NetworkBackend;
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
                .biosImage(readFirmware(options.bios()))
                .vgaBiosImage(readVgaBios(options.bios()));
        // ---- network adapter: an RTL8139 unless --nic none; its backend per mode (org.vstation.manager.net) ----
        NetworkBackend network = null;
        if (!options.nicMode().equals("none")) {
            try {
                network = NetworkBackends.create(options.nicMode(),
                        NetworkBackends.Options.defaults(name).withBridge(options.bridgeInterface()));
            } catch (BridgedNetworkException e) {
                throw new UsageException("--nic bridged: " + e.getMessage());
            }
            config.nicMac(macBytes(options.macAddress() != null
                    ? MacAddress.parse(options.macAddress())
                    : MacGenerator.derive(UUID.randomUUID(), 0, 0)));
        }
        Machine machine = new Machine(name, config, X86Cpu::new);
        if (network != null) {
            machine.switchNetwork(network);
        }
        return machine;
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
