package org.vstation.manager.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseFilesTest {

    @TempDir
    Path folder;

    @Test
    void aCopyHasTheSameBytesAndStaysSparse() throws Exception {
        Path source = folder.resolve("source.img");
        long size = 256L << 20;
        SparseFiles.createEmpty(source, size);
        byte[] first = randomBytes(1, 5000);
        byte[] middle = randomBytes(2, 3 << 20);
        byte[] last = randomBytes(3, 777);
        writeAt(source, 0, first);
        writeAt(source, 100L << 20, middle);
        writeAt(source, size - last.length, last);
        writeAt(source, 50L << 20, new byte[1 << 20]);

        Path copy = folder.resolve("copy.img");
        SparseFiles.copy(source, copy);

        assertEquals(size, Files.size(copy));
        assertArrayEquals(first, readAt(copy, 0, first.length));
        assertArrayEquals(middle, readAt(copy, 100L << 20, middle.length));
        assertArrayEquals(last, readAt(copy, size - last.length, last.length));
        assertArrayEquals(new byte[4096], readAt(copy, 50L << 20, 4096));
        assertTrue(allocatedBytes(copy) < (8L << 20), "copy allocates " + allocatedBytes(copy));
    }

    @Test
    void anEmptyImageCopiesToAnEmptyImageOfTheSameSize() throws Exception {
        Path source = folder.resolve("empty.img");
        SparseFiles.createEmpty(source, 1L << 30);
        Path copy = folder.resolve("copy.img");
        SparseFiles.copy(source, copy);
        assertEquals(1L << 30, Files.size(copy));
        assertTrue(allocatedBytes(copy) < (1 << 20));
    }

    @Test
    void aFileWithoutHolesCopiesWhole() throws Exception {
        Path source = folder.resolve("dense.bin");
        byte[] content = randomBytes(4, 3 * 1024 * 1024 + 17);
        Files.write(source, content);
        Path copy = folder.resolve("copy.bin");
        SparseFiles.copy(source, copy);
        assertArrayEquals(content, Files.readAllBytes(copy));
    }

    static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "--format=%b %B", file.toString()).start();
        String[] blocks = new String(stat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                .strip().split(" ");
        assertEquals(0, stat.waitFor());
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 1;
        return bytes;
    }

    private static void writeAt(Path file, long offset, byte[] bytes) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static byte[] readAt(Path file, long offset, int length) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.array();
        }
    }
}
