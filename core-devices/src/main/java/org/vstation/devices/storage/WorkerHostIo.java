package org.vstation.devices.storage;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host file operations on one worker thread, completions handed to the VM
 * thread through {@code vmThread} (the machine's post). One thread keeps the
 * operations in order, as the devices submit them.
 */
public final class WorkerHostIo implements HostIo, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerHostIo.class);
    private static final long CLOSE_WAIT_SECONDS = 60;

    private final String name;
    private final ExecutorService worker;
    private final Executor vmThread;

    public WorkerHostIo(String name, Executor vmThread) {
        this.name = name;
        this.worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(name).daemon().factory());
        this.vmThread = vmThread;
    }

    @Override
    public void submit(Operation operation, Consumer<IOException> completion) {
        worker.execute(() -> {
            IOException failure = HostIo.attempt(operation);
            vmThread.execute(() -> completion.accept(failure));
        });
    }

    /** Waits for the operations already submitted (a flush under way reaches the disk), then stops the thread. */
    @Override
    public void close() throws InterruptedException {
        worker.shutdown();
        if (!worker.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
            log.error("{}: host I/O still running after {} s; closing anyway", name, CLOSE_WAIT_SECONDS);
            worker.shutdownNow();
        }
    }
}
