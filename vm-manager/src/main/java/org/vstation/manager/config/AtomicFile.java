package org.vstation.manager.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content, never a
 * mix: write a temporary file in the same folder, fsync it, rename it over the target (atomic on
 * one file system), then fsync the folder so the rename itself is durable.
 */
public final class AtomicFile {

    /** The points between the steps of a save; tests stop the save there to simulate a crash. */
    enum Step { TEMP_HALF_WRITTEN, TEMP_WRITTEN, TEMP_SYNCED, RENAMED }

    /** Called at each step; a test throws from it to stop the save as a crash would. */
    interface StepListener {
        void reached(Step step);
    }

    private static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /**
     * @param sync false skips the two fsyncs: the result is still never a mix, but a power loss
     *             may lose the newest save (used for bulk tests)
     */
    public static void write(Path target, byte[] content, boolean sync) throws IOException {
        write(target, content, sync, step -> { });
    }

    static void write(Path target, byte[] content, boolean sync, StepListener steps) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Path temp = createTemp(folder, target);
        boolean renamed = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                int half = content.length / 2;
                writeFully(channel, ByteBuffer.wrap(content, 0, half));
                steps.reached(Step.TEMP_HALF_WRITTEN);
                writeFully(channel, ByteBuffer.wrap(content, half, content.length - half));
                steps.reached(Step.TEMP_WRITTEN);
                if (sync) {
                    channel.force(true);
                }
            }
            steps.reached(Step.TEMP_SYNCED);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            renamed = true;
            steps.reached(Step.RENAMED);
            if (sync) {
                syncFolder(folder);
            }
        } catch (IOException | RuntimeException e) {
            if (!renamed) {
                Files.deleteIfExists(temp);
            }
            throw e;
        }
    }

    /** Deletes temporary files a crashed save of {@code target} left behind. */
    public static void removeLeftovers(Path target) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(folder, tempPrefix(target) + "*" + TEMP_SUFFIX)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** Whether this file name is a save in progress (or a crashed one), never a config. */
    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /** Like Files.createTempFile, but with the permissions of a normal new file (createTempFile makes it private). */
    private static Path createTemp(Path folder, Path target) throws IOException {
        while (true) {
            Path candidate = folder.resolve(tempPrefix(target) + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + TEMP_SUFFIX);
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                // Another save picked the same name; draw again.
            }
        }
    }

    private static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Linux makes a rename durable only once the folder is synced; other systems may refuse, which is harmless. */
    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name").startsWith("Linux")) {
                throw e;
            }
        }
    }
}
