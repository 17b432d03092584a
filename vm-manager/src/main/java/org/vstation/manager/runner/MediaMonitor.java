package org.vstation.manager.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.vstation.devices.Machine;
import org.vstation.devices.ide.AtapiCdrom;
import org.vstation.devices.storage.ImageException;
import org.vstation.devices.storage.IsoImage;

/**
 * {@code vstation run --headless --monitor}: CD/DVD media commands typed on
 * standard input while the VM runs, one per line, as QEMU's monitor offers
 * {@code change} and {@code eject}. {@code -f} does what the app's "Disconnect
 * anyway" does: it goes through even when the guest has locked the drive.
 */
final class MediaMonitor {
    static final String HELP = """
            monitor commands:
              change [-f] ISO   put ISO in the CD/DVD drive (-f: even if the guest has locked it)
              eject [-f]        take the medium out (-f: even if the guest has locked it)
              help              this list""";

    private static final long REPLY_TIMEOUT_SECONDS = 10;

    private final Machine machine;

    MediaMonitor(Machine machine) {
        this.machine = machine;
    }

    /** Reads commands from {@code in} until it ends, answering each on {@code out}, on a daemon thread. */
    Thread start(BufferedReader in, PrintStream out) {
        return Thread.ofPlatform().daemon().name("vstation-monitor").start(() -> {
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        out.println("(monitor) " + execute(line.strip()));
                    }
                }
            } catch (IOException e) {
                out.println("(monitor) standard input failed: " + e.getMessage());
            }
        });
    }

    /** Runs one command line and returns the answer for the user. */
    String execute(String line) {
        String command = line.split("\\s+", 2)[0];
        String argument = line.substring(command.length()).strip();
        boolean force = argument.equals("-f") || argument.startsWith("-f ");
        if (force) {
            argument = argument.substring(2).strip(); // the rest is the path, spaces and all
        }
        try {
            return switch (command) {
                case "change" -> argument.isEmpty() ? "change: which ISO? (change [-f] ISO)" : change(argument, force);
                case "eject" -> argument.isEmpty() ? eject(force) : "eject: takes only -f";
                case "help" -> HELP;
                default -> "unknown command '" + command + "'\n" + HELP;
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (TimeoutException e) {
            return command + ": the VM did not answer within " + REPLY_TIMEOUT_SECONDS + " s";
        }
    }

    private String change(String path, boolean force) throws InterruptedException, TimeoutException {
        Path iso;
        IsoImage image;
        try {
            iso = Path.of(path);
            image = IsoImage.open(iso);
        } catch (InvalidPathException | ImageException e) {
            return "change: " + e.getMessage();
        }
        try {
            machine.changeCdrom(image, force).get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return "CD/DVD: " + (force ? "forced in " : "inserted ") + iso;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AtapiCdrom.MediumLockedException locked) {
                return "change refused: " + locked.getMessage() + " (change -f ISO disconnects anyway)";
            }
            return "change failed: " + e.getCause();
        }
    }

    private String eject(boolean force) throws InterruptedException, TimeoutException {
        try {
            return switch (machine.ejectCdrom(force).get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                case EJECTED -> "CD/DVD: ejected";
                case NO_MEDIUM -> "CD/DVD: already empty";
                case LOCKED_BY_GUEST -> "eject refused: the guest has locked the drive (eject -f disconnects anyway)";
            };
        } catch (ExecutionException e) {
            return "eject failed: " + e.getCause();
        }
    }
}
