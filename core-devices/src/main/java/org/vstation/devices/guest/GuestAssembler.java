package org.vstation.devices.guest;

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

/**
 * Assembles a benchmark guest's nasm source from the class path when the benchmark runs, so the repository
 * keeps sources, never binaries. A missing or failing nasm is an {@link IOException} that says so.
 */
public final class GuestAssembler {
    private static final long NASM_TIMEOUT_SECONDS = 60;

    private GuestAssembler() {
    }

    /** The flat binary of {@code resource} (next to {@code anchor}), with {@code -D} for each define. */
    public static byte[] assemble(Class<?> anchor, String resource, String... defines)
            throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("vstation-guest");
        try {
            Path source = scratch.resolve(resource);
            try (InputStream in = anchor.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("no " + resource + " on the class path");
                }
                Files.write(source, in.readAllBytes());
            }
            Path image = scratch.resolve("guest.bin");
            List<String> command = new ArrayList<>(List.of("nasm", "-f", "bin", "-o", image.toString()));
            for (String define : defines) {
                command.add("-D" + define);
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
                throw new IOException("nasm failed on " + resource + ":\n" + output);
            }
            return Files.readAllBytes(image);
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
