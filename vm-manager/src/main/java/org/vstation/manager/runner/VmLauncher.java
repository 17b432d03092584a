package org.vstation.manager.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.manager.images.FirmwareCache;

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
                .vgaBiosImage(readVgaBios(options.bios().resolveSibling(FirmwareCache.VGA_BIOS)));
        return new Machine(name, config, X86Cpu::new);
    }

    /** SeaVGABIOS sits next to the system BIOS (fetch-firmware puts both in the cache); without it the screen stays blank. */
    private static byte[] readVgaBios(Path path) throws UsageException {
        if (!Files.isRegularFile(path)) {
            return null;
        }
        try {
            byte[] image = Files.readAllBytes(path);
            if (image.length < 3 || (image[0] & 0xFF) != 0x55 || (image[1] & 0xFF) != 0xAA) {
                throw new UsageException("VGA BIOS " + path + " is not an option ROM (no 55 AA signature); run ./vstation fetch-firmware");
            }
            return image;
        } catch (IOException e) {
            throw new UsageException("cannot read VGA BIOS " + path + ": " + e.getMessage());
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
