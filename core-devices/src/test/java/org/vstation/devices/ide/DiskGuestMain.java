package org.vstation.devices.ide;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.storage.IsoImage;
import org.vstation.devices.storage.RawDiskImage;

/**
 * Runs a machine with a disk and a CD in a JVM of its own, echoing the debug
 * console to stdout, so {@link DiskGuestTest} can kill it with SIGKILL.
 * Arguments: bios.bin, ISO, disk image.
 */
public final class DiskGuestMain {
    private DiskGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        Machine machine = new Machine("disktest", new MachineConfig().memoryMegabytes(32)
                .biosImage(Files.readAllBytes(Path.of(args[0])))
                .cdromImage(IsoImage.open(Path.of(args[1])))
                .diskImage(RawDiskImage.open(Path.of(args[2]))), X86Cpu::new);
        machine.addDebugConsoleListener(b -> {
            System.out.write(b);
            if (b == '\n') {
                System.out.flush();
            }
        });
        machine.start();
        machine.awaitTermination(1, TimeUnit.DAYS);
    }
}
