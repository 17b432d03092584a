package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineState;
import org.vstation.devices.ide.AtapiCdrom;
import org.vstation.devices.storage.IsoImage;
import org.vstation.devices.storage.RawDiskImage;
import org.vstation.manager.images.GuestImagesForTests;

/**
 * Issue 8 end to end: SeaBIOS boots the Debian i386 live CD from our ATAPI
 * drive, isolinux loads the 6.1 kernel, and the shell answers on the serial
 * port and on the VGA console through the PS/2 keyboard; the kernel log is
 * clean and {@code poweroff} switches the VM off through ACPI.
 *
 * <p>The same boot covers issue 7's Linux steps, to spend one boot on both:
 * ata_piix and sd_mod/sr_mod find the hard disk and the CD/DVD drive without
 * errors, {@code mount /dev/sr0} reads the live CD (the host's ordinary swap
 * is refused while the guest keeps it locked), a forced swap under the mounted
 * file system makes its reads fail without an oops, and a remount shows the
 * new medium; unmounted, an ordinary swap goes through.
 */
class LinuxLiveBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    private static final String PROMPT = "vstation:/# ";

    private static final String SWAPPED_FILE = "swapped.txt";
    private static final String SWAPPED_TEXT = "the second medium";

    @TempDir
    Path dir;

    private Machine machine;
    private final StringBuilder serial = new StringBuilder();

    @AfterEach
    void powerOff() throws InterruptedException {
        if (machine != null) {
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void debianLiveCdBootsToAShellOnSerialAndVgaAndPowersOff() throws Exception {
        Path iso = GuestImagesForTests.liveCdOrAbort();
        Path bios = GuestImagesForTests.seaBiosOrAbort();
        Path disk = dir.resolve("disk.img");
        RawDiskImage.create(disk, 64L << 20);
        Path secondIso = isoHolding(SWAPPED_FILE, SWAPPED_TEXT + "\n");
        machine = VmLauncher.build("linux-boot", RunOptions.parse(
                List.of("--headless", "--iso", iso.toString(), "--disk", disk.toString(), "--memory", "128"), bios));
        machine.addSerialListener(b -> {
            synchronized (serial) {
                serial.append((char) b);
            }
        });
        long start = System.nanoTime();
        machine.start();
        awaitSerial(PROMPT, BOOT_TIMEOUT);
        System.out.printf("LinuxLiveBootTest: shell prompt after %.1f s, %,d instructions%n",
                (System.nanoTime() - start) / 1e9, machine.processor().instructionCount());

        // 1. Over the serial port: kernel, CPU and CD-ROM as VStation presents them.
        String answer = command("uname -a; grep -m1 'model name' /proc/cpuinfo; grep -m1 flags /proc/cpuinfo; ls /dev/sr0");
        assertTrue(Pattern.compile("Linux \\S+ 6\\.1\\.\\S+ .* i686").matcher(answer).find(), answer);
        assertTrue(answer.contains("/dev/sr0") && !answer.contains("No such file"), answer);
        assertTrue(Pattern.compile("flags\\s*:.*\\bfpu\\b.*\\btsc\\b.*\\bcx8\\b.*\\bcmov\\b").matcher(answer).find(), answer);

        // 3. The kernel log: hardware found, nothing alarming.
        String dmesg = command("dmesg");
        for (String bad : List.of("Oops", "BUG:", "unknown NMI", "Uhhuh", "timeout", "clocksource unstable",
                "Marking clocksource", "soft lockup")) {
            assertFalse(dmesg.contains(bad), "dmesg contains '" + bad + "':\n" + dmesg);
        }
        for (String found : List.of("x86/fpu:", "clocksource: pit", "rtc_cmos", "PCI host bridge",
                "ata_piix", "ata1.00: ATA-", "scsi 0:0:0:0: Direct-Access", "sd 0:0:0:0: [sda] 131072 512-byte",
                "ata2.00: ATAPI: VStation DVD-ROM", "scsi 1:0:0:0: CD-ROM", "sr 1:0:0:0: [sr0]",
                "ttyS0 at I/O 0x3f8")) {
            assertTrue(dmesg.contains(found), "dmesg lacks '" + found + "':\n" + dmesg);
        }
        // Issue 7: libata and the SCSI disk and CD drivers report no errors on either device.
        for (String line : dmesg.split("\n")) {
            if (line.matches(".*\\b(ata[12]|sd 0:0:0:0|sr 1:0:0:0|scsi [01]:0:0:0)\\b.*")) {
                assertFalse(line.toLowerCase(Locale.ROOT).matches(".*(error|fail|exception|reset|timeout).*"),
                        "device trouble in dmesg: " + line);
            }
        }

        // Issue 7: the live CD mounts; the host swaps the ISO under the mounted file system, a remount shows it.
        String mounted = command("mount -t iso9660 -r /dev/sr0 /mnt && ls /mnt/live && md5sum /mnt/live/initrd.gz");
        assertTrue(mounted.contains("vmlinuz"), mounted);
        String initrdSum = md5OfFileIn(iso, "/live/initrd.gz");
        assertTrue(mounted.contains(initrdSum), "md5 " + initrdSum + " of the ISO's initrd.gz expected in:\n" + mounted);
        // Mounted, the CD is locked in (sr sends PREVENT MEDIUM REMOVAL): the host's swap is refused, as a drive's button is.
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> machine.changeCdrom(IsoImage.open(secondIso)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(AtapiCdrom.MediumLockedException.class, refused.getCause());
        // "Disconnect anyway": the forced swap goes through; the mounted file system's uncached reads now fail.
        machine.changeCdrom(IsoImage.open(secondIso), true).get(10, TimeUnit.SECONDS);
        String stale = command("echo 3 > /proc/sys/vm/drop_caches; md5sum /mnt/live/initrd.gz; echo read-done");
        System.out.println("LinuxLiveBootTest: reading the old medium's file after the forced swap:\n" + stale);
        assertTrue(stale.contains("read-done"), stale);
        assertFalse(stale.contains(initrdSum), "the old medium's file still read back after the forced swap:\n" + stale);
        String swappedSum = md5OfFileIn(secondIso, "/" + SWAPPED_FILE);
        String remounted = command("umount /mnt; mount -t iso9660 -r /dev/sr0 /mnt && cat /mnt/" + SWAPPED_FILE
                + " && md5sum /mnt/" + SWAPPED_FILE + "; umount /mnt");
        assertTrue(remounted.contains(SWAPPED_TEXT) && remounted.contains(swappedSum),
                "the new medium's " + SWAPPED_FILE + " with md5 " + swappedSum + " expected in:\n" + remounted);
        // Unmounted, the drive is unlocked: an ordinary swap (back to the live CD) is accepted.
        machine.changeCdrom(IsoImage.open(iso)).get(10, TimeUnit.SECONDS);
        String again = command("mount -t iso9660 -r /dev/sr0 /mnt && ls /mnt/live; umount /mnt");
        assertTrue(again.contains("vmlinuz"), again);
        String afterSwaps = command("dmesg | grep -iE 'sr0|sr 1:0:0:0|oops|bug:|call trace|blocked for|lockup'");
        System.out.println("LinuxLiveBootTest: dmesg after the swaps:\n" + afterSwaps);
        for (String bad : List.of("Oops", "BUG:", "Call Trace", "blocked for more than", "soft lockup")) {
            assertFalse(afterSwaps.contains(bad), "dmesg contains '" + bad + "' after the swaps:\n" + afterSwaps);
        }

        // Issue 5: the kernel's TSC calibration against the PIT/PM timer lands within 2% of VStation's
        // 1 GHz time-stamp counter.
        java.util.regex.Matcher refined = Pattern.compile("tsc: Refined TSC clocksource calibration: ([0-9.]+) MHz")
                .matcher(dmesg);
        assertTrue(refined.find(), "no refined TSC calibration in dmesg:\n" + dmesg);
        double megahertz = Double.parseDouble(refined.group(1));
        assertTrue(Math.abs(megahertz - 1000.0) <= 20.0, "TSC calibrated at " + megahertz + " MHz");

        // 2. Through the PS/2 keyboard on the VGA console (tty1): the command and its answer on screen.
        UsKeyboard.type(machine, "echo $((6*7))vga\n");
        assertTrue(awaitScreen("42vga", COMMAND_TIMEOUT), "the VGA text console never showed 42vga");

        // 4. poweroff: ACPI S5 ends the VM.
        type("poweroff");
        assertTrue(machine.awaitTermination(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "poweroff did not end the VM");
        assertEquals(MachineState.POWERED_OFF, machine.state(), String.valueOf(machine.errorMessage()));
    }

    /** A fresh ISO 9660 image (xorriso) that holds one text file. */
    private Path isoHolding(String name, String text) throws Exception {
        Path root = Files.createDirectories(dir.resolve("second-root"));
        Files.writeString(root.resolve(name), text, StandardCharsets.US_ASCII);
        Path image = dir.resolve("second.iso");
        run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-V", "SECOND", "-o", image.toString(), root.toString());
        return image;
    }

    /** The md5 of one file inside an ISO image, extracted on the host (xorriso). */
    private String md5OfFileIn(Path iso, String file) throws Exception {
        Path extracted = dir.resolve("extracted-" + iso.getFileName() + file.replace('/', '-'));
        run("xorriso", "-osirrox", "on", "-indev", iso.toString(), "-extract", file, extracted.toString());
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(extracted)));
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + " failed:\n" + output);
    }

    private void type(String line) {
        machine.sendToSerial((line + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Types a command on the serial console and returns what it printed up to the next prompt. */
    private String command(String line) throws InterruptedException {
        type(line);
        return awaitSerial(PROMPT, COMMAND_TIMEOUT);
    }

    private String awaitSerial(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (serial) {
                int at = serial.indexOf(text);
                if (at >= 0) {
                    String before = serial.substring(0, at);
                    serial.delete(0, at + text.length());
                    return before;
                }
            }
            MachineState state = machine.state();
            assertTrue(state != MachineState.ERROR && state != MachineState.POWERED_OFF,
                    "machine stopped (" + state + "): " + machine.errorMessage());
            Thread.sleep(100);
        }
        synchronized (serial) {
            throw new AssertionError("'" + text + "' did not appear within " + timeout + "; CPU at "
                    + machine.processor().describeState() + "; serial ends with:\n"
                    + serial.substring(Math.max(0, serial.length() - 3000)));
        }
    }

    /** The VGA text buffer (all 32 KiB that vgacon scrolls through) as characters. */
    private boolean awaitScreen(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            // Read on the VM thread, between instructions, as the guest itself would read it.
            java.util.concurrent.CompletableFuture<String> screen = new java.util.concurrent.CompletableFuture<>();
            machine.post(() -> {
                StringBuilder characters = new StringBuilder();
                for (int offset = 0; offset < 0x8000; offset += 2) {
                    characters.append((char) machine.memory().read8(0xB8000 + offset));
                }
                screen.complete(characters.toString());
            });
            try {
                if (screen.get(10, TimeUnit.SECONDS).contains(text)) {
                    return true;
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("could not read the screen", e);
            }
            Thread.sleep(200);
        }
        return false;
    }
}
