package org.vstation.manager.library;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw disk images are mostly holes; these helpers keep them sparse on the host. A copy visits
 * only the data regions when the host can list them (Linux lseek SEEK_DATA / SEEK_HOLE, see
 * lseek(2)), so cloning an 8 GiB disk that holds 1 GiB reads 1 GiB; elsewhere it reads
 * everything and skips writing blocks of zeros.
 *
 * <p>Calling lseek needs native access: launchers pass {@code --enable-native-access=ALL-UNNAMED}
 * (without it the JVM prints a warning and the copy still works).
 */
@SuppressWarnings("restricted")
final class SparseFiles {

    private static final int BLOCK = 1 << 20;
    private static final int O_RDONLY = 0;
    /** lseek(2) whence values, the same on every Linux architecture. */
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** errno of SEEK_DATA at or past the last data: the rest of the file is a hole. */
    private static final int ENXIO = 6;

    private static final MethodHandle OPEN;
    private static final MethodHandle LSEEK;
    private static final MethodHandle CLOSE;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static {
        MethodHandle open = null;
        MethodHandle lseek = null;
        MethodHandle close = null;
        if (System.getProperty("os.name").startsWith("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                open = linker.downcallHandle(libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
                lseek = linker.downcallHandle(libc.find("lseek").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno"));
                close = linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (RuntimeException e) {
                open = null;
            }
        }
        OPEN = open;
        LSEEK = lseek;
        CLOSE = close;
    }

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

    /** Copies {@code source} to a new file; holes stay holes and blocks of zeros are not written. */
    static void copy(Path source, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
            for (long[] region : dataRegions(source, size)) {
                copyRegion(in, out, block, region[0], region[1]);
            }
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    private static void copyRegion(FileChannel in, FileChannel out, ByteBuffer block, long start, long end)
            throws IOException {
        long position = start;
        while (position < end) {
            block.clear().limit((int) Math.min(BLOCK, end - position));
            int read = in.read(block, position);
            if (read < 0) {
                return;
            }
            block.flip();
            if (!isAllZero(block)) {
                while (block.hasRemaining()) {
                    out.write(block, position + block.position());
                }
            }
            position += read;
        }
    }

    /** [start, end) ranges that may hold data: from SEEK_DATA/SEEK_HOLE, or the whole file. */
    private static List<long[]> dataRegions(Path file, long size) {
        List<long[]> whole = List.of(new long[] {0, size});
        if (OPEN == null || file.getFileSystem() != FileSystems.getDefault()) {
            return whole;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toAbsolutePath().toString());
            MemorySegment callState = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(path, O_RDONLY);
            if (fd < 0) {
                return whole;
            }
            try {
                List<long[]> regions = new ArrayList<>();
                long position = 0;
                while (position < size) {
                    long dataStart = (long) LSEEK.invokeExact(callState, fd, position, SEEK_DATA);
                    if (dataStart < 0) {
                        return (int) ERRNO.get(callState, 0L) == ENXIO ? regions : whole;
                    }
                    long dataEnd = (long) LSEEK.invokeExact(callState, fd, dataStart, SEEK_HOLE);
                    if (dataEnd <= dataStart) {
                        return whole;
                    }
                    regions.add(new long[] {dataStart, Math.min(dataEnd, size)});
                    position = dataEnd;
                }
                return regions;
            } finally {
                closeDescriptor(fd);
            }
        } catch (Throwable e) {
            return whole;
        }
    }

    /** The result is not checked: a read-only descriptor has nothing to flush, so a failed close loses nothing. */
    private static void closeDescriptor(int fd) throws Throwable {
        int unchecked = (int) CLOSE.invokeExact(fd);
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
