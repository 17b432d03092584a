package org.vstation.manager.library;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The lock a process holds on a VM folder while it runs or edits the VM, so the VM cannot be
 * started twice or changed under a running machine.
 *
 * <p>The lock is an operating-system lock on {@code .vstation.lock} in the VM folder; the file's
 * text says who holds it (pid, host, purpose, since when). The OS drops the lock when the holder
 * dies, so a crashed process leaves text but no lock: that stale text is detected and replaced.
 * A clean release empties the file but keeps it, so two processes never lock different files of
 * the same name.
 */
public final class VmLock implements AutoCloseable {

    public static final String FILE_NAME = ".vstation.lock";

    private static final int PROBE_RETRIES = 10;
    private static final long PROBE_WAIT_MILLIS = 20;

    /** Who holds (or held) a lock, as written in the lock file. */
    public record Holder(long pid, String host, String purpose, String since) {

        public String describe() {
            if (pid < 0) {
                return "locked by a process that left no details";
            }
            return purpose + " by process " + pid + " on " + host + " since " + since;
        }

        String toText() {
            return "pid=" + pid + "\nhost=" + host + "\npurpose=" + purpose + "\nsince=" + since + "\n";
        }

        static Holder parse(String text) {
            Map<String, String> fields = new HashMap<>();
            for (String line : text.split("\n")) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    fields.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
            long pid;
            try {
                pid = Long.parseLong(fields.getOrDefault("pid", "-1"));
            } catch (NumberFormatException e) {
                pid = -1;
            }
            return new Holder(pid, fields.getOrDefault("host", "?"), fields.getOrDefault("purpose", "?"),
                    fields.getOrDefault("since", "?"));
        }
    }

    private final Path folder;
    private final FileChannel channel;
    private final FileLock lock;
    private final Holder staleHolder;

    private VmLock(Path folder, FileChannel channel, FileLock lock, Holder staleHolder) {
        this.folder = folder;
        this.channel = channel;
        this.lock = lock;
        this.staleHolder = staleHolder;
    }

    /**
     * Takes the lock of the VM in {@code folder}, or fails at once if someone holds it.
     *
     * @param purpose what the lock is for ("run", "edit", ...), shown to whoever is refused
     */
    public static VmLock acquire(Path folder, String vmName, String purpose) throws IOException, VmLockedException {
        Path file = folder.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = tryExclusive(channel);
            // A lock without holder text is someone's brief status probe (see holder()): wait it out.
            for (int retry = 0; lock == null && retry < PROBE_RETRIES && Files.size(file) == 0; retry++) {
                Thread.sleep(PROBE_WAIT_MILLIS);
                lock = tryExclusive(channel);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the lock of " + vmName, e);
        }
        if (lock == null) {
            channel.close();
            throw new VmLockedException(vmName, readHolder(file));
        }
        try {
            String previous = readText(channel);
            Holder stale = previous.isBlank() ? null : Holder.parse(previous);
            byte[] text = currentHolder(purpose).toText().getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text), 0);
            channel.force(false);
            return new VmLock(folder, channel, lock, stale);
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    /** Whether some live process holds the lock of the VM in {@code folder}, and who; null when free. */
    public static Holder holder(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        try {
            if (Files.size(file) == 0) {
                return null;
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        // A shared lock needs only read access, so a VM folder of another user can still be listed.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock probe;
            try {
                probe = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                probe = null;
            }
            if (probe == null) {
                return readHolder(file);
            }
            probe.release();
            return null;
        }
    }

    /** The VM folder this lock is for. */
    public Path folder() {
        return folder;
    }

    public boolean isHeld() {
        return lock.isValid();
    }

    /** The holder whose lock was found stale (its process had died) when this lock was taken; null if none. */
    public Holder clearedStaleHolder() {
        return staleHolder;
    }

    @Override
    public void close() throws IOException {
        try {
            if (channel.isOpen()) {
                channel.truncate(0);
                channel.force(false);
            }
        } finally {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } finally {
                channel.close();
            }
        }
    }

    private static FileLock tryExclusive(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static Holder currentHolder(String purpose) {
        return new Holder(ProcessHandle.current().pid(), hostName(), purpose, Instant.now().toString());
    }

    /** Read from the kernel or the environment: a DNS lookup could stall every command on a badly configured host. */
    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            String fromEnvironment = System.getenv("COMPUTERNAME");
            return fromEnvironment != null ? fromEnvironment : System.getenv().getOrDefault("HOSTNAME", "unknown host");
        }
    }

    private static Holder readHolder(Path file) throws IOException {
        return Holder.parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    private static String readText(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
