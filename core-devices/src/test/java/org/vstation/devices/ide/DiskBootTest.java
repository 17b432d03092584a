package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.fixtures.nasm.Nasm;

/**
 * Issue 7: SeaBIOS boots from the IDE disk. The MBR (a nasm guest) reads
 * sectors back through INT 13h, so SeaBIOS's ATA driver runs against our
 * disk, and prints what it found.
 */
class DiskBootTest {
    @TempDir
    Path dir;

    @Test
    void seaBiosBootsTheDiskAndReadsItThroughInt13() throws Exception {
        Path bios = BootIso.requireTools();
        Path disk = dir.resolve("boot.img");
        RawDiskImage.create(disk, 16 << 20);
        try (FileChannel file = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(Nasm.assembleFile(
                    Path.of(DiskBootTest.class.getResource("diskboot.asm").toURI()))), 0);
            file.write(ByteBuffer.wrap("VSTATION DISK 8!".getBytes(StandardCharsets.US_ASCII)), 8 * 512);
        }
        Machine machine = new Machine("diskboot", new MachineConfig().memoryMegabytes(32)
                .biosImage(Files.readAllBytes(bios)).diskImage(RawDiskImage.open(disk)), X86Cpu::new);
        StringBuffer log = new StringBuffer();
        machine.addDebugConsoleListener(b -> {
            log.append((char) b);
            if (b == '\n' && log.indexOf("DISKBOOT ") >= 0) {
                machine.requestPowerOffFromVmThread();
            }
        });
        machine.start();
        if (!machine.awaitTermination(120, TimeUnit.SECONDS)) {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }
        assertTrue(log.indexOf("DISKBOOT VSTATION DISK 8!") >= 0, "SeaBIOS did not boot the disk:\n" + log);
    }
}
