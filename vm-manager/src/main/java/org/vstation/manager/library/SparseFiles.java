package org.vstation.manager.library;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Raw disk images are mostly zeros; these helpers keep them sparse on the host. */
final class SparseFiles {

    private static final int BLOCK = 64 * 1024;

    private SparseFiles() {
    }

    /** A new file of {@code size} bytes, all zeros, taking no disk space until written. */
    static void createEmpty(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (size > 0) {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    /** Copies {@code source} to a new file, skipping all-zero blocks so holes stay holes. */
    static void copy(Path source, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
            long position = 0;
            while (position < size) {
                block.clear();
                int read = in.read(block, position);
                if (read < 0) {
                    break;
                }
                block.flip();
                if (!isAllZero(block)) {
                    while (block.hasRemaining()) {
                        out.write(block, position + block.position());
                    }
                }
                position += read;
            }
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    private static boolean isAllZero(ByteBuffer block) {
        int index = block.position();
        int limit = block.limit();
        for (; index + Long.BYTES <= limit; index += Long.BYTES) {
            if (block.getLong(index) != 0) {
                return false;
            }
        }
        for (; index < limit; index++) {
            if (block.get(index) != 0) {
                return false;
            }
        }
        return true;
    }
}
