package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.Machine;
import org.vstation.devices.ide.AtapiCdrom;

/** {@code --monitor}: media commands reach the running machine's CD/DVD drive and answer in words. */
class MediaMonitorTest {
    @TempDir
    Path dir;

    private Machine machine;
    private MediaMonitor monitor;

    @BeforeEach
    void powerOn() throws Exception {
        // A BIOS that halts at the reset vector: the VM thread then only runs posted work, such as media changes.
        byte[] bios = new byte[0x10000];
        Arrays.fill(bios, (byte) 0xF4);
        Path biosFile = dir.resolve("bios.bin");
        Files.write(biosFile, bios);
        byte[] optionRom = new byte[512];
        optionRom[0] = 0x55;
        optionRom[1] = (byte) 0xAA;
        optionRom[2] = 1;
        Files.write(dir.resolve("vgabios-stdvga.bin"), optionRom);
        RunOptions options = RunOptions.parse(List.of("--headless", "--bios", biosFile.toString(), "--monitor"), null);
        assertTrue(options.monitor());
        machine = VmLauncher.build("monitor", options);
        machine.start();
        monitor = new MediaMonitor(machine);
    }

    @AfterEach
    void powerOff() throws InterruptedException {
        machine.powerOff();
        machine.awaitTermination(10, TimeUnit.SECONDS);
    }

    private Path iso(String name) throws Exception {
        byte[] iso = new byte[40 * 2048];
        iso[16 * 2048] = 1;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, 16 * 2048 + 1, 5);
        Path path = dir.resolve(name);
        Files.write(path, iso);
        return path;
    }

    private String medium() {
        var medium = ((AtapiCdrom) machine.ide().secondary().device(0)).medium();
        return medium == null ? null : medium.description();
    }

    @Test
    void changeAndEjectWithAndWithoutForce() throws Exception {
        Path first = iso("first.iso");
        Path second = iso("with space.iso");
        assertEquals("CD/DVD: already empty", monitor.execute("eject"));
        assertEquals("CD/DVD: inserted " + first, monitor.execute("change " + first));
        assertEquals("first.iso", medium());
        assertEquals("CD/DVD: forced in " + second, monitor.execute("change -f " + second));
        assertEquals("with space.iso", medium(), "the rest of the line is the path");

        String missing = monitor.execute("change " + dir.resolve("missing.iso"));
        assertTrue(missing.startsWith("change: ") && missing.contains("missing.iso"), missing);
        String notIso = monitor.execute("change " + dir.resolve("bios.bin"));
        assertTrue(notIso.startsWith("change: "), notIso);
        assertEquals("with space.iso", medium(), "a bad file changes nothing");

        assertEquals("eject: takes only -f", monitor.execute("eject now"));
        assertEquals("CD/DVD: ejected", monitor.execute("eject -f"));
        assertNull(medium());
        assertTrue(monitor.execute("change").startsWith("change: which ISO?"));
        assertTrue(monitor.execute("format c:").startsWith("unknown command 'format'"));
    }

    @Test
    void readsCommandsUntilTheInputEnds() throws Exception {
        Path first = iso("first.iso");
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        Thread reader = monitor.start(new BufferedReader(new StringReader("help\n\nchange " + first + "\n")),
                new PrintStream(answers, true, StandardCharsets.UTF_8));
        reader.join(10_000);
        String text = answers.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("(monitor) monitor commands:"), text);
        assertTrue(text.endsWith("(monitor) CD/DVD: inserted " + first + System.lineSeparator()), text);
        assertEquals("first.iso", medium());
    }
}
