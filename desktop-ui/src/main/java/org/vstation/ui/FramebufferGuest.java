package org.vstation.ui;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;

/**
 * The console benchmark's steady guest ({@code console-bench-guest.asm}): a stand-in BIOS that sets
 * a 1024x768x32 VBE mode and then forever changes every page of the framebuffer (or every pixel)
 * and runs a fixed compute loop, never looking at a clock. Assembled with nasm when the benchmark runs, as the test guests
 * are, so no binary is kept; it needs no firmware.
 */
final class FramebufferGuest {
    static final String SOURCE = "console-bench-guest.asm";
    private static final long NASM_TIMEOUT_SECONDS = 60;

    private final byte[] rom;

    private FramebufferGuest(byte[] rom) {
        this.rom = rom;
    }

    /**
     * Assembles the guest; {@code wholeFrame} makes it rewrite every pixel of every frame instead of
     * one per page. A missing or failing nasm is an {@link IOException} that says so.
     */
    static FramebufferGuest assemble(boolean wholeFrame) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("vstation-console-bench");
        try {
            Path source = scratch.resolve(SOURCE);
            try (InputStream in = FramebufferGuest.class.getResourceAsStream(SOURCE)) {
                if (in == null) {
                    throw new IOException("no " + SOURCE + " on the class path");
                }
                Files.write(source, in.readAllBytes());
            }
            Path image = scratch.resolve("console-bench-guest.bin");
            List<String> command = new ArrayList<>(List.of("nasm", "-f", "bin", "-o", image.toString()));
            if (wholeFrame) {
                command.add("-DWHOLE_FRAME");
            }
            command.add(source.toString());
            Process nasm;
            try {
                nasm = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("the benchmark guest needs nasm (Debian package nasm): " + e.getMessage(), e);
            }
            String output = new String(nasm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!nasm.waitFor(NASM_TIMEOUT_SECONDS, TimeUnit.SECONDS) || nasm.exitValue() != 0) {
                nasm.destroyForcibly();
                throw new IOException("nasm failed on " + SOURCE + ":\n" + output);
            }
            return new FramebufferGuest(Files.readAllBytes(image));
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /** A powered-off machine that runs this guest: 32 MiB of RAM and the 16 MiB standard VGA, nothing else. */
    Machine build(String name) {
        return new Machine(name, new MachineConfig().memoryMegabytes(32).biosImage(rom), X86Cpu::new);
    }
}
