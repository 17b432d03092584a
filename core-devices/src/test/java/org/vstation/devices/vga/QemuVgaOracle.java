package org.vstation.devices.vga;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vstation.devices.display.Framebuffer;

/**
 * Runs a floppy guest under {@code qemu-system-i386 -vga std} as an oracle:
 * waits for the guest's "done" byte, then takes QEMU's screendump and copies
 * of guest memory through the human monitor on a Unix socket.
 */
final class QemuVgaOracle implements AutoCloseable {
    private final Process qemu;
    private final SocketChannel monitor;
    private final Path workDirectory;

    private QemuVgaOracle(Process qemu, SocketChannel monitor, Path workDirectory) {
        this.qemu = qemu;
        this.monitor = monitor;
        this.workDirectory = workDirectory;
    }

    static boolean available() {
        return onPath("qemu-system-i386") && onPath("nasm");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Assembles a nasm source from the test resources (with vga-patterns.inc beside it) and the given defines. */
    static byte[] assemble(String resource, Path workDirectory, String... defines) throws Exception {
        for (String file : List.of(resource, "vga-patterns.inc")) {
            try (var in = QemuVgaOracle.class.getResourceAsStream(file)) {
                Files.write(workDirectory.resolve(file), in.readAllBytes());
            }
        }
        Path output = workDirectory.resolve(resource + ".bin");
        List<String> command = new java.util.ArrayList<>(List.of("nasm", "-f", "bin", "-o", output.toString(),
                "-I", workDirectory + "/"));
        for (String define : defines) {
            command.add("-D" + define);
        }
        command.add(workDirectory.resolve(resource).toString());
        Process nasm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String messages = new String(nasm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (nasm.waitFor() != 0) {
            throw new IOException("nasm failed: " + messages);
        }
        return Files.readAllBytes(output);
    }

    /** Assembles a boot guest into a 1.44 MB floppy image. */
    static Path assembleFloppy(String resource, Path workDirectory, String... defines) throws Exception {
        byte[] floppy = new byte[1_474_560];
        byte[] code = assemble(resource, workDirectory, defines);
        System.arraycopy(code, 0, floppy, 0, code.length);
        Path image = workDirectory.resolve("guest.img");
        Files.write(image, floppy);
        return image;
    }

    static QemuVgaOracle boot(Path floppy, Path workDirectory) throws Exception {
        return boot(List.of("-drive", "file=" + floppy + ",format=raw,if=floppy"), workDirectory);
    }

    /** Starts {@code qemu-system-i386 -vga std} headless with a monitor socket and the given extra arguments. */
    static QemuVgaOracle boot(List<String> arguments, Path workDirectory) throws Exception {
        Path socket = workDirectory.resolve("monitor.sock");
        List<String> command = new java.util.ArrayList<>(List.of("qemu-system-i386", "-vga", "std", "-display", "none",
                "-monitor", "unix:" + socket + ",server,nowait"));
        command.addAll(arguments);
        Process qemu = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(workDirectory.resolve("qemu.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
                QemuVgaOracle oracle = new QemuVgaOracle(qemu, channel, workDirectory);
                oracle.readUntilPrompt();
                return oracle;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !qemu.isAlive()) {
                    qemu.destroyForcibly();
                    throw new IOException("QEMU's monitor did not come up: " + Files.readString(workDirectory.resolve("qemu.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    String command(String line) throws IOException {
        monitor.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        return readUntilPrompt();
    }

    private String readUntilPrompt() throws IOException {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (!text.toString().endsWith("(qemu) ")) {
            buffer.clear();
            if (monitor.read(buffer) < 0) {
                throw new IOException("QEMU monitor closed: " + text);
            }
            text.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    /** Polls a byte of guest memory until it holds {@code value}. */
    void awaitByte(long address, int value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String wanted = String.format("0x%02x", value);
        while (!command(String.format("xp /1xb 0x%x", address)).contains(": " + wanted)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("guest never wrote " + wanted + " to " + Long.toHexString(address));
            }
            Thread.sleep(100);
        }
    }

    byte[] physicalMemory(long address, int length) throws IOException {
        Path file = workDirectory.resolve("memory-" + Long.toHexString(address) + ".bin");
        command(String.format("pmemsave 0x%x 0x%x \"%s\"", address, length, file));
        return Files.readAllBytes(file);
    }

    /** Where SeaBIOS put the standard VGA's BAR0 (the linear framebuffer), from "info pci". */
    long vgaFramebufferAddress() throws IOException {
        String pci = command("info pci");
        int device = pci.indexOf("1234:1111");
        java.util.regex.Matcher bar = java.util.regex.Pattern.compile("BAR0: 32 bit prefetchable memory at (0x[0-9a-f]+)")
                .matcher(pci);
        if (device < 0 || !bar.find(device)) {
            throw new IOException("no standard VGA BAR0 in: " + pci);
        }
        return Long.decode(bar.group(1));
    }

    /** QEMU's screendump, a binary PPM (P6), as a framebuffer. */
    Framebuffer screendump() throws IOException {
        Path file = workDirectory.resolve("screen.ppm");
        command("screendump \"" + file + "\"");
        byte[] ppm = Files.readAllBytes(file);
        int[] position = {0};
        String magic = ppmToken(ppm, position);
        int width = Integer.parseInt(ppmToken(ppm, position));
        int height = Integer.parseInt(ppmToken(ppm, position));
        int maximum = Integer.parseInt(ppmToken(ppm, position));
        if (!magic.equals("P6") || maximum != 255) {
            throw new IOException("unexpected screendump format " + magic + " " + maximum);
        }
        int at = position[0] + 1;
        Framebuffer picture = new Framebuffer(width, height);
        for (int i = 0; i < width * height; i++, at += 3) {
            picture.pixels()[i] = 0xFF00_0000 | (ppm[at] & 0xFF) << 16 | (ppm[at + 1] & 0xFF) << 8 | (ppm[at + 2] & 0xFF);
        }
        return picture;
    }

    private static String ppmToken(byte[] ppm, int[] position) {
        int at = position[0];
        while (Character.isWhitespace(ppm[at])) {
            at++;
        }
        int start = at;
        while (!Character.isWhitespace(ppm[at])) {
            at++;
        }
        position[0] = at;
        return new String(ppm, start, at - start, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws Exception {
        try {
            monitor.write(ByteBuffer.wrap("quit\n".getBytes(StandardCharsets.UTF_8)));
            monitor.close();
        } catch (IOException ignored) {
            // QEMU may already be gone; it is destroyed below either way
        }
        if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
            qemu.destroyForcibly();
        }
    }
}
