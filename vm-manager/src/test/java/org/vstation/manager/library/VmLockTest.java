package org.vstation.manager.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmLockTest {

    @TempDir
    Path folder;

    @Test
    void aSecondAcquireIsRefusedAndNamesTheHolder() throws Exception {
        try (VmLock _ = VmLock.acquire(folder, "debian", "run")) {
            VmLockedException refused = assertThrows(VmLockedException.class,
                    () -> VmLock.acquire(folder, "debian", "run"));
            assertEquals(ProcessHandle.current().pid(), refused.holder().pid());
            assertEquals("run", refused.holder().purpose());
            assertTrue(refused.getMessage().startsWith("debian is in use: run by process "), refused.getMessage());
            assertNotNull(VmLock.holder(folder));
        }
        assertNull(VmLock.holder(folder));
        try (VmLock again = VmLock.acquire(folder, "debian", "edit")) {
            assertNull(again.clearedStaleHolder(), "a clean release leaves nothing stale");
        }
    }

    @Test
    void theTextOfACrashedHolderIsStaleAndCleared() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(folder.resolve(VmLock.FILE_NAME),
                "pid=" + gone.pid() + "\nhost=elsewhere\npurpose=run\nsince=2026-01-01T00:00:00Z\n");
        assertNull(VmLock.holder(folder), "text without a live OS lock is not a holder");
        try (VmLock lock = VmLock.acquire(folder, "debian", "run")) {
            assertEquals(gone.pid(), lock.clearedStaleHolder().pid());
            assertEquals("elsewhere", lock.clearedStaleHolder().host());
            String text = Files.readString(folder.resolve(VmLock.FILE_NAME));
            assertTrue(text.startsWith("pid=" + ProcessHandle.current().pid() + "\n"), text);
        }
    }

    @Test
    void aBriefStatusProbeDelaysButDoesNotRefuseAnAcquire() throws Exception {
        Path file = folder.resolve(VmLock.FILE_NAME);
        Files.createFile(file);
        try (FileChannel probe = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock shared = probe.tryLock(0, Long.MAX_VALUE, true);
            Thread release = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(60);
                    shared.release();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (VmLock lock = VmLock.acquire(folder, "debian", "run")) {
                assertNull(lock.clearedStaleHolder());
            }
            release.join();
        }
    }

    /** A real second process: while it holds the lock we are refused; once it is killed the lock is ours. */
    @Test
    void aLockHeldByAnotherProcessIsRefusedUntilThatProcessDies() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), folder.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals(LockHolderMain.READY, output.readLine());
            VmLockedException refused = assertThrows(VmLockedException.class,
                    () -> VmLock.acquire(folder, "debian", "run"));
            assertEquals(holder.pid(), refused.holder().pid());
            assertEquals(holder.pid(), VmLock.holder(folder).pid());

            holder.destroyForcibly();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
            try (VmLock lock = VmLock.acquire(folder, "debian", "run")) {
                assertEquals(holder.pid(), lock.clearedStaleHolder().pid());
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    /** The other process of the test above. */
    public static final class LockHolderMain {
        static final String READY = "locked";

        public static void main(String[] args) throws Exception {
            VmLock.acquire(Path.of(args[0]), "debian", "run");
            System.out.println(READY);
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
