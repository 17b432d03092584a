package org.vstation.manager.net;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vstation.devices.Machine;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.GuestImageUnavailableException;
import org.vstation.manager.images.LiveCdImage;
import org.vstation.manager.runner.RunOptions;
import org.vstation.manager.runner.UsageException;
import org.vstation.manager.runner.VmLauncher;

/**
 * The busybox shell of a live-CD guest on COM1, for the slow network tests:
 * types commands and waits for their output, keeping a copy of the console
 * in {@code target/<name>-serial.txt} for a failure's post-mortem.
 */
final class GuestShell implements AutoCloseable {
    /** Writes a udhcpc script that configures eth0 from the lease and prints {@code LEASE-<address>}. */
    static final String DHCP_SCRIPT = "printf '#!/bin/sh\\n"
            + "[ \"$1\" = bound ] && ip addr flush dev $interface && ip addr add $ip/$mask dev $interface"
            + " && { [ -z \"$router\" ] || ip route add default via $router; }"
            + " && echo \"nameserver $dns\" > /etc/resolv.conf && echo LEASE-$ip\\n' > /tmp/dhcp.sh"
            + " && chmod +x /tmp/dhcp.sh";
    private static final Pattern LEASE = Pattern.compile("LEASE-(\\d+\\.\\d+\\.\\d+\\.\\d+)");

    /** Typed at ISOLINUX's {@code boot:} prompt, so the boot does not wait out its one-second timeout. */
    private static final String BOOT_LINE = "live\n";
    private static final String BOOT_PROMPT = "boot: ";

    private final String name;
    private final Machine machine;
    private final StringBuilder console = new StringBuilder();
    private final OutputStream log;
    private boolean bootPromptAnswered;

    private GuestShell(String name, Machine machine) throws IOException {
        this.name = name;
        this.machine = machine;
        this.log = Files.newOutputStream(Path.of("target", name + "-serial.txt"));
        // Answered on the VM thread as the prompt appears: ISOLINUX waits only one second.
        machine.addSerialListener(b -> {
            synchronized (console) {
                console.append((char) b);
                if (!bootPromptAnswered && b == ' ' && console.length() >= BOOT_PROMPT.length()
                        && console.substring(console.length() - BOOT_PROMPT.length()).equals(BOOT_PROMPT)) {
                    bootPromptAnswered = true;
                    machine.sendToSerial(BOOT_LINE.getBytes(StandardCharsets.US_ASCII));
                }
            }
            try {
                log.write(b);
                if (b == '\n') {
                    log.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The live CD, or null when it (or SeaBIOS) is not in the cache; the caller then skips. */
    static Path liveCd() {
        try {
            Path iso = LiveCdImage.ofUser().verified();
            return FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS).toFile().isFile() ? iso : null;
        } catch (GuestImageUnavailableException e) {
            return null;
        }
    }

    /** A powered-off VM booting {@code iso} with an adapter of MAC {@code mac} (its backend set by the caller). */
    static GuestShell build(String name, Path iso, String mac) throws IOException, UsageException {
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        RunOptions options = RunOptions.parse(List.of("--headless", "--iso", iso.toString(), "--nic", "hostonly",
                "--mac", mac, "--memory", "128"), bios);
        return new GuestShell(name, VmLauncher.build(name, options));
    }

    Machine machine() {
        return machine;
    }

    void type(String command) {
        machine.sendToSerial((command + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Waits for {@code text} and forgets the console up to its end. */
    void await(String text, Duration timeout) throws InterruptedException {
        awaitMatch(Pattern.compile(Pattern.quote(text)), timeout);
    }

    /** Waits for {@code pattern}, forgets the console up to the match and returns its first group (or all of it). */
    String awaitMatch(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (console) {
                Matcher matcher = pattern.matcher(console);
                if (matcher.find()) {
                    String matched = matcher.group(matcher.groupCount() > 0 ? 1 : 0);
                    console.delete(0, matcher.end());
                    return matched;
                }
                if (System.nanoTime() > deadline || machine.errorMessage() != null) {
                    throw new AssertionError(name + ": '" + pattern + "' did not appear"
                            + (machine.errorMessage() == null ? "" : " (the VM stopped: " + machine.errorMessage() + ")")
                            + "; the console ends with:\n" + console.substring(Math.max(0, console.length() - 2000)));
                }
            }
            Thread.sleep(100);
        }
    }

    /** Brings eth0 up (first time) and runs udhcpc; returns the leased address. */
    String dhcp(Duration timeout) throws InterruptedException {
        type("ip link set eth0 up && " + DHCP_SCRIPT + " && udhcpc -i eth0 -s /tmp/dhcp.sh -n -q -t 10");
        return awaitMatch(LEASE, timeout);
    }

    @Override
    public void close() throws Exception {
        machine.powerOff();
        machine.awaitTermination(10, TimeUnit.SECONDS);
        log.close();
    }
}
