package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.storage.IsoImage;
import org.vstation.devices.storage.RawDiskImage;

/**
 * Issue 7, "done when" 3: a guest booted from the CD writes patterned sectors
 * to the disk by PIO and DMA with LBA28 and LBA48 addresses; after power off
 * the image holds exactly those bytes, and after a SIGKILL of the emulator
 * that follows the guest's FLUSH CACHE none of the flushed sectors is lost.
 */
class DiskGuestTest {
    /** Just above what LBA28 reaches: the guest's LBA48 writes land at 10000010h and 10000110h. */
    private static final long DISK_SECTORS = (1L << 28) + 8192;
    private static final long LBA48_BASE = 0x1000_0010L;
    /** What the guest writes: first LBA, sector count, method (1 PIO28, 2 PIO48, 3 DMA28, 4 DMA48). */
    private static final long[][] WRITES = {
        {100, 4, 1}, {LBA48_BASE, 3, 2}, {200, 8, 3}, {LBA48_BASE + 0x100, 8, 4},
    };

    @TempDir
    Path dir;

    private Path prepare() throws Exception {
        Path disk = dir.resolve("disk.img");
        RawDiskImage.create(disk, DISK_SECTORS * 512);
        return disk;
    }

    @Test
    void writesReachTheImageByPowerOff() throws Exception {
        Path bios = BootIso.requireTools();
        Path iso = BootIso.build(dir, "diskwrite.asm", Map.of());
        Path disk = prepare();
        Machine machine = new Machine("disktest", new MachineConfig().memoryMegabytes(32)
                .biosImage(Files.readAllBytes(bios)).cdromImage(IsoImage.open(iso))
                .diskImage(RawDiskImage.open(disk)), X86Cpu::new);
        StringBuffer log = new StringBuffer();
        machine.addDebugConsoleListener(b -> {
            log.append((char) b);
            if (b == '\n' && (log.indexOf("DISKTEST DONE") >= 0 || log.indexOf("DISKTEST FAIL") >= 0)) {
                machine.requestPowerOffFromVmThread();
            }
        });
        machine.start();
        if (!machine.awaitTermination(120, TimeUnit.SECONDS)) {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }
        assertTrue(log.indexOf("DISKTEST DONE") >= 0, "the guest did not finish:\n" + log);
        assertGuestSectors(disk);
        RawDiskImage.open(disk).close(); // power off released the lock
    }

    @Test
    void flushedSectorsSurviveSigkill() throws Exception {
        Path bios = BootIso.requireTools();
        Path iso = BootIso.build(dir, "diskwrite.asm", Map.of());
        Path disk = prepare();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process emulator = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DiskGuestMain.class.getName(), bios.toString(), iso.toString(), disk.toString())
                .redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(emulator.getInputStream(), StandardCharsets.ISO_8859_1))) {
            String line;
            while ((line = lines.readLine()) != null) {
                log.append(line).append('\n');
                if (line.contains("DISKTEST FLUSHED") || line.contains("DISKTEST FAIL")) {
                    break;
                }
            }
            emulator.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
            emulator.waitFor(10, TimeUnit.SECONDS);
        } finally {
            emulator.destroyForcibly();
        }
        assertTrue(log.indexOf("DISKTEST FLUSHED") >= 0, "the guest did not flush:\n" + log);
        assertGuestSectors(disk);
    }

    private static void assertGuestSectors(Path disk) throws Exception {
        try (FileChannel file = FileChannel.open(disk, StandardOpenOption.READ)) {
            for (long[] write : WRITES) {
                for (long lba = write[0]; lba < write[0] + write[1]; lba++) {
                    ByteBuffer expected = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
                    expected.putInt((int) lba).putInt((int) write[2]);
                    for (int i = 8; i < 512; i++) {
                        expected.put((byte) (i + lba));
                    }
                    ByteBuffer actual = ByteBuffer.allocate(512);
                    file.read(actual, lba * 512);
                    assertArrayEquals(expected.array(), actual.array(), "sector " + lba + " (method " + write[2] + ")");
                }
            }
        }
    }
}
