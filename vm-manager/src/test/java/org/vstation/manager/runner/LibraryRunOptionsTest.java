package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.manager.config.BootDevice;
import org.vstation.manager.config.DiskConfig;
import org.vstation.manager.config.DiskFormat;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.PortForwardConfig;
import org.vstation.manager.net.PortForward;
import org.vstation.manager.library.NewVm;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;

/** The options {@code run NAME} and the app generate are ones the headless runner accepts, with the VM's values. */
class LibraryRunOptionsTest {

    @TempDir
    Path temp;

    @Test
    void theRunnerAcceptsTheOptionsOfALibraryVm() throws Exception {
        Path iso = Files.write(temp.resolve("live.iso"), new byte[2048]);
        Path bios = Files.write(temp.resolve("bios.bin"), new byte[65536]);
        VmLibrary library = VmLibrary.open(temp.resolve("library"), true);
        VmEntry vm = library.create(NewVm.withDefaults("debian").withMemoryMb(384).withDiskSizeBytes(1 << 20)
                .withIso(iso));

        List<String> options = LibraryRunOptions.of(vm, List.of("--until", "login:", "--timeout", "30"));
        RunOptions parsed = RunOptions.parse(options, bios);

        assertEquals(384, parsed.memoryMegabytes());
        assertEquals(iso, parsed.iso());
        assertEquals(List.of(vm.folder().resolve("debian.img")), parsed.disks());
        assertEquals(List.of(BootDevice.CDROM, BootDevice.DISK), parsed.bootOrder());
        assertEquals(vm.config().uuid, parsed.uuid());
        assertEquals(16, parsed.videoMemoryMegabytes());
        assertEquals("nat", parsed.nicMode());
        assertEquals(vm.config().network.getFirst().mac.toString(), parsed.macAddress());
        assertEquals(vm.folder().resolve("serial.log"), parsed.serial());
        assertEquals("login:", parsed.until());
        assertEquals(30, parsed.timeout().toSeconds());

        VmEntry bridged = library.update(vm, config -> {
            config.network.getFirst().mode = NicMode.BRIDGED;
            config.network.getFirst().bridgeInterface = "eth0";
            return config;
        });
        RunOptions bridgedRun = RunOptions.parse(LibraryRunOptions.of(bridged, List.of()), bios);
        assertEquals("bridged", bridgedRun.nicMode());
        assertEquals("eth0", bridgedRun.bridgeInterface());
    }

    @Test
    void everyDiskTheBootOrderAndTheVideoMemoryReachTheRunner() throws Exception {
        Path bios = Files.write(temp.resolve("bios.bin"), new byte[65536]);
        VmLibrary library = VmLibrary.open(temp.resolve("library"), true);
        VmEntry vm = library.create(NewVm.withDefaults("three").withDiskSizeBytes(1 << 20));
        Path second = Files.write(vm.folder().resolve("second.img"), new byte[4096]);
        Path third = Files.write(temp.resolve("elsewhere.img"), new byte[4096]);
        vm = library.update(vm, config -> {
            config.disks.add(disk("second.img"));
            config.disks.add(disk(third.toString()));
            config.bootOrder = new ArrayList<>(List.of(BootDevice.DISK, BootDevice.NETWORK, BootDevice.CDROM));
            config.display.videoMemoryMb = 24;
            return config;
        });

        RunOptions parsed = RunOptions.parse(LibraryRunOptions.of(vm, List.of()), bios);
        assertEquals(List.of(vm.folder().resolve("three.img"), second, third), parsed.disks());
        assertEquals(List.of(BootDevice.DISK, BootDevice.NETWORK, BootDevice.CDROM), parsed.bootOrder());
        assertEquals(32, parsed.videoMemoryMegabytes(), "rounded up to the VGA's power-of-two BAR, as QEMU does");

        RunOptions override = RunOptions.parse(LibraryRunOptions.of(vm, List.of("--disk", second.toString(),
                "--boot", "cdrom")), bios);
        assertEquals(List.of(second), override.disks(), "disks given on the command line replace the VM's");
        assertEquals(List.of(BootDevice.CDROM), override.bootOrder());
    }

    @Test
    void forwardsAndHostServicesOfTheConfigReachTheRunner() throws Exception {
        Path bios = Files.write(temp.resolve("bios.bin"), new byte[65536]);
        VmLibrary library = VmLibrary.open(temp.resolve("library"), true);
        VmEntry vm = library.update(library.create(NewVm.withDefaults("web")), config -> {
            PortForwardConfig http = new PortForwardConfig();
            http.hostPort = 8080;
            http.guestPort = 80;
            config.network.getFirst().forwards.add(http);
            config.network.getFirst().hostServices.add(3128);
            return config;
        });
        RunOptions run = RunOptions.parse(LibraryRunOptions.of(vm, List.of()), bios);
        assertEquals(List.of(new PortForward("127.0.0.1", 8080, 80)), run.forwards());
        assertEquals(List.of(3128), run.hostServices());

        RunOptions overridden = RunOptions.parse(LibraryRunOptions.of(vm, List.of("--forward", "tcp:9090:90")), bios);
        assertEquals(List.of(new PortForward("127.0.0.1", 9090, 90)), overridden.forwards(),
                "forwards on the command line replace the config's");
    }

    private static DiskConfig disk(String path) {
        return new DiskConfig(path, 4096, DiskFormat.RAW);
    }
}
