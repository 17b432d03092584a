package org.vstation.devices.ide;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.pci.PciDevice;
import org.vstation.devices.storage.HostIo;
import org.vstation.devices.storage.ImageException;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.devices.storage.WorkerHostIo;

/**
 * {@code vstation bench disk}: sequential DMA write and read throughput of
 * the IDE disk, driven through the registers as a driver does (WRITE/READ
 * DMA EXT of 128 KiB through a PRD table, bus-master start, interrupt,
 * status) against a raw image file in a temporary directory. Guest time is a
 * manual clock jumped to each device deadline, so the figure is what the
 * emulation and the host file system deliver, not the modelled latency.
 * FLUSH CACHE's fsync runs on a worker thread as in a machine, with the
 * benchmark's loop as the VM thread: a line shows how long a flush
 * takes and how much of that the VM thread spends on it. Then a whole
 * machine's CPU does the same transfers ({@link GuestDiskBenchmark}): the
 * last two lines are what a guest gets, in real guest time.
 *
 * <p>Arguments: {@code [megabytes]}, default 256.
 */
public final class DiskBenchmark {
    private static final int BUS_MASTER_BASE = 0xC000;
    private static final int COMMAND_BLOCK = Piix3Ide.PRIMARY_COMMAND_PORT;
    private static final int SECTORS_PER_COMMAND = 256;
    private static final int PRD_TABLE = 0x1000;
    private static final int DATA_BUFFER = 0x100000;
    private static final int FLUSH_ROUNDS = 20;
    private static final long COMPLETION_WAIT_SECONDS = 60;

    private final long[] now = {0};
    private final EventQueue events = new EventQueue(() -> now[0]);
    private final PhysicalMemory memory = new PhysicalMemory(16 << 20);
    private final IoPortBus io = new IoPortBus();
    private boolean interrupt;
    /** Host I/O completions for the loop that plays the VM thread. */
    private final LinkedBlockingQueue<Runnable> completions = new LinkedBlockingQueue<>();
    /** Time the loop spent waiting for host I/O, free for the guest on a real VM thread. */
    private long waitedNanos;

    private DiskBenchmark() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    public static int run(String[] args, PrintStream out) {
        int megabytes;
        try {
            megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        } catch (NumberFormatException e) {
            megabytes = -1;
        }
        if (megabytes < 1 || megabytes > 65536) {
            out.println("usage: vstation bench disk [megabytes, 1-65536]");
            return 2;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("vstation-bench-disk");
            Path path = dir.resolve("bench.img");
            RawDiskImage.create(path, (long) megabytes << 20);
            DiskBenchmark benchmark = new DiskBenchmark();
            try (RawDiskImage image = RawDiskImage.open(path);
                 WorkerHostIo hostIo = new WorkerHostIo("bench disk I/O", benchmark.completions::add)) {
                benchmark.measure(image, hostIo, megabytes, out);
            }
            GuestDiskBenchmark.Result guest = GuestDiskBenchmark.run(path, megabytes);
            out.printf("guest CPU with bus-master DMA, %d MiB in 64 KiB commands%n", megabytes);
            out.printf("guest sequential write:              %8.1f MB/s%n", guest.writeMegabytesPerSecond());
            out.printf("guest sequential read:               %8.1f MB/s%n", guest.readMegabytesPerSecond());
            return 0;
        } catch (IOException | ImageException e) {
            out.println("bench disk: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("bench disk: interrupted");
            return 1;
        } finally {
            deleteQuietly(dir);
        }
    }

    private void measure(RawDiskImage image, HostIo hostIo, int megabytes, PrintStream out)
            throws IOException, InterruptedException {
        InterruptLine irq14 = high -> interrupt |= high;
        Piix3Ide ide = new Piix3Ide(io, memory, events, irq -> irq == Piix3Ide.PRIMARY_IRQ ? irq14 : InterruptLine.UNCONNECTED);
        new PciBus(io, memory).attach(1, Piix3Ide.PCI_FUNCTION, ide);
        AtaDisk disk = new AtaDisk("bench disk", image, "BENCH", "VStation HARDDISK");
        disk.useHostIo(hostIo);
        ide.primary().attach(0, disk);
        ide.configWrite(PciDevice.BAR0 + 4 * Piix3Ide.BMIBA_BAR, 4, BUS_MASTER_BASE);
        ide.configWrite(Piix3Ide.IDETIM_PRIMARY, 2, Piix3Ide.IDETIM_DECODE_ENABLE);
        ide.configWrite(PciDevice.COMMAND, 2, PciDevice.COMMAND_IO_SPACE | PciDevice.COMMAND_BUS_MASTER);
        int bytesPerCommand = SECTORS_PER_COMMAND * AtaDisk.SECTOR_SIZE;
        // two 64 KiB PRD entries (a PRD moves at most 64 KiB)
        memory.write32(PRD_TABLE, DATA_BUFFER);
        memory.write32(PRD_TABLE + 4, 0);
        memory.write32(PRD_TABLE + 8, DATA_BUFFER + 0x10000);
        memory.write32(PRD_TABLE + 12, 0x8000_0000);
        for (int i = 0; i < bytesPerCommand; i++) {
            memory.write8(DATA_BUFFER + i, i * 31 + 7);
        }
        long commands = ((long) megabytes << 20) / bytesPerCommand;

        long start = System.nanoTime();
        for (long n = 0; n < commands; n++) {
            transfer(AtaDisk.CMD_WRITE_DMA_EXT, n * SECTORS_PER_COMMAND, false);
        }
        transfer(AtaDisk.CMD_FLUSH_CACHE_EXT, -1, false);
        long writeNanos = System.nanoTime() - start;

        start = System.nanoTime();
        for (long n = 0; n < commands; n++) {
            transfer(AtaDisk.CMD_READ_DMA_EXT, n * SECTORS_PER_COMMAND, true);
        }
        long readNanos = System.nanoTime() - start;
        if ((memory.read8(DATA_BUFFER + 1) & 0xFF) != 38) {
            throw new IOException("read back the wrong data: the benchmark is broken");
        }
        long flushNanos = 0;
        long flushWaitedNanos = 0;
        for (int round = 0; round < FLUSH_ROUNDS; round++) {
            transfer(AtaDisk.CMD_WRITE_DMA_EXT, round % commands * SECTORS_PER_COMMAND, false);
            waitedNanos = 0;
            start = System.nanoTime();
            transfer(AtaDisk.CMD_FLUSH_CACHE_EXT, -1, false);
            flushNanos += System.nanoTime() - start;
            flushWaitedNanos += waitedNanos;
        }
        out.printf("disk DMA, %d MiB in %d KiB commands%n", megabytes, bytesPerCommand / 1024);
        out.printf("sequential write (with final flush): %8.1f MB/s%n", megabytes * 1.048576e6 / writeNanos * 1e3);
        out.printf("sequential read:                     %8.1f MB/s%n", megabytes * 1.048576e6 / readNanos * 1e3);
        out.printf("FLUSH CACHE after a %d KiB write:   %8.2f ms, of which the VM thread %.3f ms (mean of %d)%n",
                bytesPerCommand / 1024, flushNanos / 1e6 / FLUSH_ROUNDS, (flushNanos - flushWaitedNanos) / 1e6 / FLUSH_ROUNDS,
                FLUSH_ROUNDS);
    }

    /** One command, with the bus master when {@code lba} is not -1; waits for the interrupt and checks status. */
    private void transfer(int command, long lba, boolean toMemory) throws IOException, InterruptedException {
        interrupt = false;
        if (lba >= 0) {
            io.write(COMMAND_BLOCK + IdeChannel.REG_DEVICE, 1, IdeDevice.DEVICE_LBA);
            int[] registers = {SECTORS_PER_COMMAND >>> 8, (int) (lba >>> 24), (int) (lba >>> 32), (int) (lba >>> 40),
                SECTORS_PER_COMMAND & 0xFF, (int) lba, (int) (lba >>> 8), (int) (lba >>> 16)};
            for (int i = 0; i < registers.length; i++) {
                io.write(COMMAND_BLOCK + IdeChannel.REG_SECTOR_COUNT + i % 4, 1, registers[i] & 0xFF);
            }
            io.write(BUS_MASTER_BASE + IdeChannel.BM_PRD_TABLE, 4, PRD_TABLE);
            io.write(BUS_MASTER_BASE + IdeChannel.BM_STATUS, 1, IdeChannel.BM_STATUS_INTERRUPT);
        }
        io.write(COMMAND_BLOCK + IdeChannel.REG_COMMAND, 1, command);
        if (lba >= 0) {
            io.write(BUS_MASTER_BASE + IdeChannel.BM_COMMAND, 1,
                    IdeChannel.BM_COMMAND_START | (toMemory ? IdeChannel.BM_COMMAND_WRITE_MEMORY : 0));
        }
        while (!interrupt) {
            Runnable completion = completions.poll();
            long next = events.nextDeadline();
            if (completion == null && next == Long.MAX_VALUE) {
                long waitStart = System.nanoTime();
                completion = completions.poll(COMPLETION_WAIT_SECONDS, TimeUnit.SECONDS); // host I/O under way
                waitedNanos += System.nanoTime() - waitStart;
                if (completion == null) {
                    throw new IOException("the disk stopped answering (command " + Integer.toHexString(command) + ")");
                }
            }
            if (completion != null) {
                completion.run();
                continue;
            }
            now[0] = Math.max(now[0], next);
            events.runDue();
        }
        io.write(BUS_MASTER_BASE + IdeChannel.BM_COMMAND, 1, 0);
        int status = io.read(COMMAND_BLOCK + IdeChannel.REG_STATUS, 1);
        if ((status & (IdeDevice.STATUS_ERR | IdeDevice.STATUS_BSY | IdeDevice.STATUS_DRQ)) != 0) {
            throw new IOException("command " + Integer.toHexString(command) + " ended with status " + Integer.toHexString(status));
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover temporary file is not worth failing the benchmark for
        }
    }
}
