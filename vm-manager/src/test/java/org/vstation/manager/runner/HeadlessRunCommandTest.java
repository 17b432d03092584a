package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.manager.images.GuestImagesForTests;

/**
 * Issue 2's headless runner as the command line sees it: exit 2 with one line for a bad argument or a
 * missing file, 0 once the {@code --until} text appears or the guest powers off, 3 with what was last seen when {@code --timeout}
 * expires, and the instruction count and wall time at exit.
 */
class HeadlessRunCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return HeadlessRunCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void missingBiosIsAUsageErrorOnOneLine() {
        Path missing = dir.resolve("missing.bin");
        assertEquals(HeadlessRunCommand.EXIT_USAGE, run("--headless", "--bios", missing.toString()));
        assertEquals(List.of("vstation run: --bios: file not found: " + missing), err().lines().toList());
    }

    @Test
    void badArgumentIsAUsageErrorOnOneLine() {
        assertEquals(HeadlessRunCommand.EXIT_USAGE, run("--headless", "--memory", "lots"));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("vstation run: --memory"), err());
    }

    /** SeaBIOS starts at the reset vector: its banner is the first thing it writes to the debug console. */
    @Test
    void untilEndsTheRunOnceTheFetchedSeaBiosPrintsItsBanner() throws Exception {
        Path bios = GuestImagesForTests.seaBiosOrAbort();
        Path debugcon = dir.resolve("debugcon.log");
        assertEquals(HeadlessRunCommand.EXIT_OK, run("--headless", "--bios", bios.toString(), "--memory", "64",
                "--debugcon", debugcon.toString(), "--until", "Running on QEMU", "--timeout", "300"), err());
        String log = Files.readString(debugcon, StandardCharsets.ISO_8859_1);
        assertTrue(log.startsWith("SeaBIOS (version "), log);
        assertTrue(log.endsWith("Running on QEMU"), "the run stops as soon as the text appears: " + log);
        assertTrue(err().matches("(?s)vstation run: [0-9,]+ guest instructions in [0-9.]+ s \\([0-9.]+ MIPS\\)\\R"),
                err());
    }

    /**
     * A guest that powers the machine off ends the run with exit 0 (issue 2; issue 8's {@code poweroff}). The
     * guest is a 64 KiB "BIOS" that switches on the PIIX4's PM I/O space as firmware does (PMBA, PMIOSE) and
     * writes SUS_EN with SUS_TYP 0, the soft-off type of the firmware's \_S5.
     */
    @Test
    void aGuestPoweringOffExitsZero() throws Exception {
        assumeTrue(Nasm.isInstalled(), "needs nasm");
        byte[] rom = Nasm.assemble(String.join("\n",
                "bits 16",
                "org 0",
                "start:",
                "    mov dx, 0xCF8",
                "    mov eax, 0x80000B40   ; 00:01.3 PMBA",
                "    out dx, eax",
                "    mov dx, 0xCFC",
                "    mov eax, 0xB001",
                "    out dx, eax",
                "    mov dx, 0xCF8",
                "    mov eax, 0x80000B80   ; 00:01.3 PMREGMISC",
                "    out dx, eax",
                "    mov dx, 0xCFC",
                "    mov al, 1             ; PMIOSE",
                "    out dx, al",
                "    mov dx, 0xB004        ; PMCNTRL",
                "    mov ax, 0x2000        ; SUS_EN, SUS_TYP 0: soft off",
                "    out dx, ax",
                "hang:",
                "    hlt",
                "    jmp hang",
                "times 0xFFF0 - ($ - $$) db 0",
                "    jmp 0xF000:start      ; the reset vector",
                "times 0x10000 - ($ - $$) db 0xFF", ""));
        Path bios = dir.resolve("power-off.bin");
        Files.write(bios, rom);
        Path vgaBios = GuestImagesForTests.seaBiosOrAbort().resolveSibling("vgabios-stdvga.bin");
        Files.copy(vgaBios, dir.resolve(vgaBios.getFileName())); // the runner wants one beside the BIOS
        assertEquals(HeadlessRunCommand.EXIT_OK, run("--headless", "--bios", bios.toString(), "--memory", "16",
                "--timeout", "60"), err());
        assertTrue(err().contains(" guest instructions in "), err());
    }

    @Test
    void timeoutExitsThreeAndSaysWhatWasLastSeen() {
        Path bios = GuestImagesForTests.seaBiosOrAbort();
        assertEquals(HeadlessRunCommand.EXIT_TIMEOUT, run("--headless", "--bios", bios.toString(), "--memory", "64",
                "--until", "text SeaBIOS never prints", "--timeout", "1"));
        String message = err().lines().findFirst().orElse("");
        assertTrue(message.startsWith("vstation run: timeout after 1 s waiting for 'text SeaBIOS never prints'; CPU at "),
                message);
        assertTrue(message.contains("last debug console output: \""), message);
        assertTrue(err().contains(" guest instructions in "), err());
    }
}
