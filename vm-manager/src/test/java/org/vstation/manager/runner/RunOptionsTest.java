package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.manager.config.BootDevice;

class RunOptionsTest {
    @TempDir
    Path dir;

    private Path file(String name, int size) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, new byte[size]);
        return path;
    }

    private String failure(List<String> args, Path defaultBios) {
        return assertThrows(UsageException.class, () -> RunOptions.parse(args, defaultBios)).getMessage();
    }

    @Test
    void fullSetOfOptionsIsParsed() throws IOException, UsageException {
        Path bios = file("bios.bin", 0x20000);
        Path iso = file("cd.iso", 2048);
        Path disk = file("disk.img", 512);
        RunOptions options = RunOptions.parse(List.of("--headless", "--memory", "64", "--bios", bios.toString(),
                "--iso", iso.toString(), "--disk", disk.toString(), "--nic", "nat", "--mac", "02:56:53:AA:BB:CC", "--serial", "-",
                "--debugcon", dir.resolve("debug.log").toString(), "--until", "login:", "--timeout", "90",
                "--screenshot", dir.resolve("s.png").toString()), null);
        assertEquals(64, options.memoryMegabytes());
        assertEquals(bios, options.bios());
        assertEquals(iso, options.iso());
        assertEquals("nat", options.nicMode());
        assertEquals("02:56:53:aa:bb:cc", options.macAddress());
        assertTrue(options.serialToStdout());
        assertNull(options.serial());
        assertEquals(dir.resolve("debug.log").toAbsolutePath(), options.debugcon());
        assertEquals("login:", options.until());
        assertEquals(Duration.ofSeconds(90), options.timeout());
        assertEquals(List.of(disk), options.disks());
        assertEquals(List.of(), options.bootOrder(), "no --boot: the machine's default order");
        assertNull(options.uuid());
    }

    @Test
    void disksBootOrderUuidAndVideoMemory() throws IOException, UsageException {
        Path bios = file("bios.bin", 0x20000);
        Path first = file("a.img", 512);
        Path second = file("b.img", 512);
        Path third = file("c.img", 512);
        RunOptions options = RunOptions.parse(List.of("--headless", "--disk", first.toString(), "--disk",
                second.toString(), "--disk", third.toString(), "--boot", "cdrom,disk", "--uuid",
                "6454900d-04d6-4000-b96b-87e89803351d", "--video", "64"), bios);
        assertEquals(List.of(first, second, third), options.disks());
        assertEquals(List.of(BootDevice.CDROM, BootDevice.DISK), options.bootOrder());
        assertEquals(UUID.fromString("6454900d-04d6-4000-b96b-87e89803351d"), options.uuid());
        assertEquals(64, options.videoMemoryMegabytes());

        assertTrue(failure(List.of("--headless", "--disk", first.toString(), "--disk", second.toString(), "--disk",
                third.toString(), "--disk", first.toString()), bios).contains("at most 3 disks"));
        assertTrue(failure(List.of("--headless", "--boot", "cdrom,floppy"), bios)
                .contains("'floppy' is not one of cdrom, disk, network"));
        assertTrue(failure(List.of("--headless", "--boot", "disk,disk"), bios).contains("'disk' is listed twice"));
        assertTrue(failure(List.of("--headless", "--uuid", "vm-1"), bios).contains("not a UUID"));
        assertTrue(failure(List.of("--headless", "--video", "256"), bios).contains("outside 1-128"));
    }

    @Test
    void defaultBiosIsUsedWhenPresent() throws IOException, UsageException {
        Path bios = file("bios.bin", 0x20000);
        RunOptions options = RunOptions.parse(List.of("--headless"), bios);
        assertEquals(bios, options.bios());
        assertEquals(128, options.memoryMegabytes());
        assertEquals("none", options.nicMode());
    }

    @Test
    void missingFilesNameTheOptionAndThePath() {
        String message = failure(List.of("--headless", "--bios", "missing.bin"), null);
        assertTrue(message.contains("--bios") && message.contains("missing.bin"), message);
        message = failure(List.of("--headless", "--iso", dir.resolve("nope.iso").toString()), null);
        assertTrue(message.contains("--iso") && message.contains("nope.iso"), message);
    }

    @Test
    void missingDefaultFirmwareSaysWhatToRun() {
        String message = failure(List.of("--headless"), dir.resolve("firmware/bios.bin"));
        assertTrue(message.contains("fetch-firmware"), message);
    }

    @Test
    void badValuesAreExplained() throws IOException, UsageException {
        Path bios = file("bios.bin", 0x20000);
        assertTrue(failure(List.of("--headless", "--memory", "lots"), bios).contains("not a whole number"));
        assertTrue(failure(List.of("--headless", "--memory", "4096"), bios).contains("outside 1-2047"));
        assertTrue(failure(List.of("--headless", "--nic", "wifi"), bios).contains("nat, hostonly, bridged, none"));
        assertTrue(failure(List.of("--headless", "--timeout"), bios).contains("needs a value"));
        assertTrue(failure(List.of("--headless", "--mac", "02:56:53"), bios).contains("six hex octets"));
        assertTrue(failure(List.of("--headless", "--screenshot", "x.jpg"), bios).contains(".png"));
        assertTrue(failure(List.of("--headless", "--frobnicate"), bios).contains("unknown option '--frobnicate'"));
        assertTrue(failure(List.of("--headless", "--serial", "/no/such/dir/out.txt"), bios).contains("folder does not exist"));
    }

    @Test
    void withoutHeadlessTheUserIsToldWhy() throws IOException, UsageException {
        Path bios = file("bios.bin", 0x20000);
        assertTrue(failure(List.of("--memory", "64"), bios).contains("--headless"));
    }

    @Test
    void textWatchFindsTextSplitAcrossBytesAndKeepsATail() {
        TextWatch watch = new TextWatch("login: ");
        boolean matched = false;
        for (char c : "Debian GNU/Linux\r\nbox login: ".toCharArray()) {
            matched |= watch.accept(c);
        }
        assertTrue(matched);
        assertTrue(watch.seen());
        assertEquals("Debian GNU/Linux\\nbox login: ", watch.tail());
    }

    @Test
    void forwardsAndHostServicesAreCollected() throws IOException, UsageException {
        Path bios = file("bios.bin", 0x20000);
        RunOptions options = RunOptions.parse(List.of("--headless", "--nic", "nat", "--forward", "tcp:8022:22",
                "--forward", "tcp:0.0.0.0:8080:80", "--host-service", "8000", "--host-service", "8000",
                "--host-service", "9000"), bios);
        assertEquals(List.of(new org.vstation.manager.net.PortForward("127.0.0.1", 8022, 22),
                new org.vstation.manager.net.PortForward("0.0.0.0", 8080, 80)), options.forwards());
        assertEquals(List.of(8000, 9000), options.hostServices());
        assertEquals(List.of(), RunOptions.parse(List.of("--headless"), bios).forwards());
    }

    @Test
    void badForwardsAreRefusedBeforeAnythingRuns() throws IOException {
        Path bios = file("bios.bin", 0x20000);
        assertTrue(failure(List.of("--headless", "--forward", "udp:53:53"), bios)
                .startsWith("--forward: only TCP ports are forwarded"));
        assertTrue(failure(List.of("--headless", "--forward", "tcp:8022:22", "--forward", "tcp:8022:23"), bios)
                .equals("--forward: host port 8022 is forwarded twice"));
        assertTrue(failure(List.of("--headless", "--host-service", "0"), bios).startsWith("--host-service: 0 is outside"));
        assertTrue(failure(List.of("--headless", "--forward"), bios).equals("--forward needs a value"));
    }
}
