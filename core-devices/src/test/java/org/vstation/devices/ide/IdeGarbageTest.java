package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.storage.IsoImage;
import org.vstation.devices.storage.RawDiskImage;

/**
 * A guest doing nonsense: random writes and reads on every IDE and bus-master port (commands,
 * packets, PRD tables of random bytes anywhere in the address space) never throw out of a
 * device; afterwards a reset brings the disk back and it reads what the image holds.
 */
class IdeGarbageTest {
    @TempDir
    Path dir;

    @Test
    void randomRegisterTrafficIsHarmless() throws Exception {
        Path disk = dir.resolve("disk.img");
        RawDiskImage.create(disk, 2 << 20);
        Path isoPath = dir.resolve("cd.iso");
        byte[] isoBytes = new byte[64 * 2048];
        isoBytes[16 * 2048] = 1;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, isoBytes, 16 * 2048 + 1, 5);
        Files.write(isoPath, isoBytes);
        try (RawDiskImage image = RawDiskImage.open(disk); IsoImage iso = IsoImage.open(isoPath)) {
            IdeTestBench bench = new IdeTestBench().enable();
            bench.ide.primary().attach(0, new AtaDisk("disk", image, "S", "M"));
            AtapiCdrom cd = new AtapiCdrom("cd", "S", "M");
            cd.insertMedium(iso);
            bench.ide.secondary().attach(0, cd);

            SplittableRandom random = new SplittableRandom(11);
            int[] ports = {0x1F0, 0x170};
            for (int i = 0; i < 300_000; i++) {
                int choice = random.nextInt(10);
                int base = ports[random.nextInt(2)];
                int size = 1 << random.nextInt(3);
                if (choice < 4) {
                    bench.io.write(base + random.nextInt(8), size, random.nextInt());
                } else if (choice < 6) {
                    bench.io.read(base + random.nextInt(8), size);
                } else if (choice == 6) {
                    bench.io.write(base == 0x1F0 ? 0x3F6 : 0x376, 1, random.nextInt(256));
                } else if (choice == 7) {
                    bench.io.write(IdeTestBench.BUS_MASTER_BASE + random.nextInt(16), size, random.nextInt());
                } else if (choice == 8) {
                    // commands the devices know, with random registers, and some PRD tables in RAM
                    int[] commands = {0x20, 0x24, 0x25, 0x29, 0x30, 0x35, 0x39, 0xA0, 0xA1, 0xC4, 0xC5, 0xC8, 0xCA,
                        0xEC, 0xEF, 0x91, 0xC6, 0xE7, 0x90, 0x08};
                    bench.io.write(base + 7, 1, commands[random.nextInt(commands.length)]);
                    bench.memory.write32(random.nextInt(4 << 20) & ~3, random.nextInt());
                } else {
                    bench.advance(random.nextInt(50_000));
                }
            }
            bench.advance(10_000_000);

            byte[] sector = AtaDiskTest.pattern(3);
            image.write(3 * 512, sector, 0, 512);
            bench.ide.reset();
            bench.enable();
            bench.stopDma(0);
            bench.lba28(IdeTestBench.PRIMARY, 0, 3, 1);
            bench.command(IdeTestBench.PRIMARY, AtaDisk.CMD_READ_SECTORS);
            assertArrayEquals(sector, bench.readData(IdeTestBench.PRIMARY, 512));
        }
    }
}
