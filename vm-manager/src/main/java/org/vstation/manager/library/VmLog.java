package org.vstation.manager.library;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-VM log, {@code vstation.log} in the VM folder: what happened to this VM (power events,
 * media and NIC changes, errors), one timestamped line each, kept with the VM when its folder is
 * copied. When the file passes {@link #DEFAULT_MAX_BYTES} it becomes {@code vstation.log.1} (older
 * ones shift up to {@code .3}, the oldest is dropped). Safe to call from any thread.
 */
public final class VmLog {

    public static final String FILE_NAME = "vstation.log";
    public static final long DEFAULT_MAX_BYTES = 1 << 20;
    public static final int KEPT_ROTATIONS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(VmLog.class);

    private final Path file;
    private final long maxBytes;
    private final Clock clock;

    public VmLog(Path vmFolder) {
        this(vmFolder, DEFAULT_MAX_BYTES, Clock.systemUTC());
    }

    VmLog(Path vmFolder, long maxBytes, Clock clock) {
        this.file = vmFolder.resolve(FILE_NAME);
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /** Power on, off, reset, pause, resume, guest shutdown... */
    public void power(String event) {
        append("power", event);
    }

    public void media(String change) {
        append("media", change);
    }

    public void nic(String change) {
        append("nic", change);
    }

    /** Configuration changes that are neither media nor NIC (memory, MAC address, name...). */
    public void config(String change) {
        append("config", change);
    }

    public void error(String what, Throwable cause) {
        StringWriter trace = new StringWriter();
        if (cause != null) {
            cause.printStackTrace(new PrintWriter(trace));
        }
        append("error", cause == null ? what : what + ": " + cause + "\n" + trace.toString().stripTrailing());
    }

    /**
     * Writes one line. A VM must keep running when its log cannot be written (disk full, folder
     * read-only), so a failure here goes to the application log instead of up to the caller.
     */
    private synchronized void append(String kind, String text) {
        String line = Instant.now(clock) + " " + kind + ": " + text + "\n";
        try {
            rotateIfFull();
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("cannot write the VM log {}: {} (lost: {})", file, e.toString(), line.strip());
        }
    }

    private void rotateIfFull() throws IOException {
        if (!Files.exists(file) || Files.size(file) < maxBytes) {
            return;
        }
        for (int generation = KEPT_ROTATIONS; generation > 1; generation--) {
            Path older = rotated(generation - 1);
            if (Files.exists(older)) {
                Files.move(older, rotated(generation), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path rotated(int generation) {
        return file.resolveSibling(FILE_NAME + "." + generation);
    }
}
