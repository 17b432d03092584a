package org.vstation.devices.ide;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.guest.GuestAssembler;
import org.vstation.devices.storage.ImageException;
import org.vstation.devices.storage.RawDiskImage;

/**
 * The guest half of {@code vstation bench disk}: a whole machine whose CPU runs
 * {@code disk-bench-guest.asm}, which writes the disk sequentially in 64 KiB
 * WRITE DMA EXT commands and reads it back with READ DMA EXT, polling the
 * bus master; the host times the phases between the guest's debug-console marks.
 */
final class GuestDiskBenchmark {
    private static final String SOURCE = "disk-bench-guest.asm";
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final String WRITE_MARK = "DISKBENCH WRITE";
    private static final String READ_MARK = "DISKBENCH READ";
    private static final String DONE_MARK = "DISKBENCH DONE";
    private static final String FAIL_MARK = "DISKBENCH FAIL";
    private static final long TIMEOUT_MINUTES = 10;

    /** Guest throughput in MB/s (10^6 bytes a second). */
    record Result(double writeMegabytesPerSecond, double readMegabytesPerSecond) {
    }

    private GuestDiskBenchmark() {
    }

    /** Runs the guest on {@code image} (at least {@code megabytes} MiB), which it overwrites from LBA 0. */
    static Result run(Path image, int megabytes) throws IOException, InterruptedException, ImageException {
        int chunks = (int) (((long) megabytes << 20) / CHUNK_BYTES);
        byte[] rom = GuestAssembler.assemble(GuestDiskBenchmark.class, SOURCE, "CHUNKS=" + chunks);
        Map<String, Long> marks = new ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(1);
        StringBuilder line = new StringBuilder();
        Machine machine = new Machine("bench disk guest", new MachineConfig().memoryMegabytes(16).biosImage(rom)
                .diskImage(RawDiskImage.open(image)), X86Cpu::new);
        machine.addDebugConsoleListener(b -> {
            if (b != '\n') {
                line.append((char) b);
                return;
            }
            String mark = line.toString();
            line.setLength(0);
            marks.put(mark, System.nanoTime());
            if (mark.equals(DONE_MARK) || mark.equals(FAIL_MARK)) {
                finished.countDown();
            }
        });
        try {
            machine.start();
            if (!finished.await(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                throw new IOException("the disk benchmark guest did not finish: " + machine.processor().describeState());
            }
        } finally {
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (marks.containsKey(FAIL_MARK)) {
            throw new IOException("the disk benchmark guest saw a drive error");
        }
        double bytes = (double) chunks * CHUNK_BYTES;
        long writeNanos = marks.get(READ_MARK) - marks.get(WRITE_MARK);
        long readNanos = marks.get(DONE_MARK) - marks.get(READ_MARK);
        return new Result(bytes / writeNanos * 1e3, bytes / readNanos * 1e3);
    }
}
