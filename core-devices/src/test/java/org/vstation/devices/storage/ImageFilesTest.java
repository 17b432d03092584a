package org.vstation.devices.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw disk images and ISO images: creation, locking, and the errors a user sees for bad files. */
class ImageFilesTest {
    @TempDir
    Path dir;

    @Test
    void twentyGibDiskIsCreatedSparse() throws Exception {
        Path path = dir.resolve("big.img");
        RawDiskImage.create(path, 20L << 30);
        assertEquals(20L << 30, Files.size(path));
        Process stat = new ProcessBuilder("stat", "-c", "%b", path.toString()).start(); // 512-byte units
        long allocatedBlocks = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim());
        assertTrue(allocatedBlocks * 512 < 1 << 20, "allocated " + allocatedBlocks * 512 + " bytes");
        try (RawDiskImage image = RawDiskImage.open(path)) {
            assertEquals(20L << 30, image.size());
            byte[] sector = new byte[512];
            Arrays.fill(sector, (byte) 0x5A);
            image.write(10L << 30, sector, 0, 512);
            image.flush();
            byte[] back = new byte[512];
            image.read(10L << 30, back, 0, 512);
            assertArrayEquals(sector, back);
        }
    }

    @Test
    void createRefusesBadSizesAndExistingFiles() throws Exception {
        Path path = dir.resolve("d.img");
        assertEquals(ImageException.Reason.INVALID_SIZE,
                assertThrows(ImageException.class, () -> RawDiskImage.create(path, 1000)).reason());
        RawDiskImage.create(path, 4096);
        assertEquals(ImageException.Reason.ALREADY_EXISTS,
                assertThrows(ImageException.class, () -> RawDiskImage.create(path, 4096)).reason());
    }

    @Test
    void secondOpenerIsRefusedInThisProcess() throws Exception {
        Path path = dir.resolve("locked.img");
        RawDiskImage.create(path, 1 << 20);
        try (RawDiskImage first = RawDiskImage.open(path)) {
            ImageException e = assertThrows(ImageException.class, () -> RawDiskImage.open(path));
            assertEquals(ImageException.Reason.IN_USE, e.reason());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        RawDiskImage.open(path).close(); // free again once closed
    }

    @Test
    void secondOpenerIsRefusedInAnotherProcess() throws Exception {
        Path path = dir.resolve("shared.img");
        RawDiskImage.create(path, 1 << 20);
        // another JVM holds the lock, as a second VStation process would
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path holder = dir.resolve("Hold.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                class Hold {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                            c.lock();
                            System.out.println("locked");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        Process process = new ProcessBuilder(java.toString(), holder.toString(), path.toString()).start();
        try {
            byte[] line = new byte[6];
            int n = process.getInputStream().readNBytes(line, 0, 6);
            assertEquals("locked", new String(line, 0, n, StandardCharsets.US_ASCII));
            ImageException e = assertThrows(ImageException.class, () -> RawDiskImage.open(path));
            assertEquals(ImageException.Reason.IN_USE, e.reason());
        } finally {
            process.getOutputStream().close();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    @Test
    void badDiskFilesGiveTypedErrors() throws Exception {
        assertEquals(ImageException.Reason.MISSING,
                assertThrows(ImageException.class, () -> RawDiskImage.open(dir.resolve("none.img"))).reason());
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[1000]);
        assertEquals(ImageException.Reason.TRUNCATED,
                assertThrows(ImageException.class, () -> RawDiskImage.open(odd)).reason());
        Path empty = dir.resolve("empty.img");
        Files.write(empty, new byte[0]);
        assertEquals(ImageException.Reason.TRUNCATED,
                assertThrows(ImageException.class, () -> RawDiskImage.open(empty)).reason());
    }

    /** A minimal ISO 9660 image: a primary volume descriptor at sector 16 and a terminator. */
    static byte[] minimalIso(int sectors) {
        byte[] iso = new byte[sectors * IsoImage.SECTOR_SIZE];
        int pvd = 16 * IsoImage.SECTOR_SIZE;
        iso[pvd] = 1;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, pvd + 1, 5);
        iso[pvd + 6] = 1;
        int terminator = 17 * IsoImage.SECTOR_SIZE;
        iso[terminator] = (byte) 0xFF;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, terminator + 1, 5);
        return iso;
    }

    @Test
    void isoOpensReadOnly() throws Exception {
        Path path = dir.resolve("min.iso");
        Files.write(path, minimalIso(40));
        try (IsoImage iso = IsoImage.open(path)) {
            assertEquals(40, iso.sectorCount());
            assertTrue(iso.readOnly());
            assertThrows(IOException.class, () -> iso.write(0, new byte[2048], 0, 2048));
            byte[] pvd = new byte[6];
            iso.read(16 * 2048, pvd, 0, 6);
            assertEquals("CD001", new String(pvd, 1, 5, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void realIsoFromXorriso() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/xorriso")), "xorriso not installed");
        Path content = Files.createDirectory(dir.resolve("content"));
        Files.writeString(content.resolve("HELLO.TXT"), "hello from the CD\n");
        Path path = dir.resolve("real.iso");
        Process xorriso = new ProcessBuilder("xorriso", "-as", "mkisofs", "-quiet", "-o", path.toString(),
                content.toString()).redirectErrorStream(true).start();
        xorriso.getInputStream().readAllBytes();
        assertEquals(0, xorriso.waitFor());
        try (IsoImage iso = IsoImage.open(path)) {
            assertEquals(Files.size(path) / 2048, iso.sectorCount());
        }
    }

    @Test
    void badIsoFilesGiveTypedErrors() throws Exception {
        assertEquals(ImageException.Reason.MISSING,
                assertThrows(ImageException.class, () -> IsoImage.open(dir.resolve("none.iso"))).reason());

        Path truncated = dir.resolve("truncated.iso");
        Files.write(truncated, Arrays.copyOf(minimalIso(40), 40 * 2048 - 100));
        ImageException e = assertThrows(ImageException.class, () -> IsoImage.open(truncated));
        assertEquals(ImageException.Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains("multiple of 2048"), e.getMessage());

        Path tiny = dir.resolve("tiny.iso");
        Files.write(tiny, new byte[2048 * 4]);
        assertEquals(ImageException.Reason.TRUNCATED,
                assertThrows(ImageException.class, () -> IsoImage.open(tiny)).reason());

        Path notIso = dir.resolve("disk.iso");
        Files.write(notIso, new byte[2048 * 40]);
        e = assertThrows(ImageException.class, () -> IsoImage.open(notIso));
        assertEquals(ImageException.Reason.NOT_ISO, e.reason());
        assertTrue(e.getMessage().contains("not an ISO 9660 image"), e.getMessage());
    }
}
