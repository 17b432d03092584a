package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.MachineState;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.library.NewVm;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.library.VmLockedException;

/** Two library VMs run at once on SeaBIOS; one failing shows ERROR while the other runs on; locks follow the runs. */
class VmRuntimeTest {

    @TempDir
    Path temp;

    @Test
    void runsSeveralVmsAndKeepsThemApartWhenOneFails() throws Exception {
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        assumeTrue(Files.isRegularFile(bios), "needs SeaBIOS: ./vstation fetch-firmware");
        VmLibrary library = VmLibrary.open(temp.resolve("library"), false);
        VmEntry first = library.create(NewVm.withDefaults("first").withMemoryMb(16).withDiskSizeBytes(0)
                .withNicMode(NicMode.NONE));
        VmEntry second = library.create(NewVm.withDefaults("second").withMemoryMb(16).withDiskSizeBytes(0));
        VmRuntime runtime = new VmRuntime(library, bios);

        RunningVm a = runtime.powerOn(first);
        RunningVm b = runtime.powerOn(second);
        assertEquals(2, runtime.active().size());
        assertThrows(UsageException.class, () -> runtime.powerOn(first), "a running VM cannot power on twice");
        assertThrows(VmLockedException.class, () -> library.lockForRun(first), "the run holds the VM's lock");

        a.machine().post(() -> {
            throw new IllegalStateException("simulated emulator fault");
        });
        assertEquals(MachineState.ERROR, a.stopped().get(10, TimeUnit.SECONDS));
        assertEquals(MachineState.ERROR, runtime.state(first.folder()));
        assertTrue(a.errorMessage().contains("simulated emulator fault"), a.errorMessage());
        long before = b.machine().processor().instructionCount();
        Thread.sleep(200);
        assertEquals(MachineState.RUNNING, runtime.state(second.folder()));
        assertTrue(b.machine().processor().instructionCount() > before, "the other VM keeps executing");
        library.lockForRun(first).close();

        assertTrue(runtime.powerOffAll(Duration.ofSeconds(10)));
        assertEquals(MachineState.POWERED_OFF, runtime.state(second.folder()));
        assertFalse(runtime.active(second.folder()).isPresent());
        library.lockForRun(second).close();
        String log = Files.readString(second.folder().resolve("vstation.log"));
        assertTrue(log.contains("power: power on") && log.contains("power: power off"), log);
        assertTrue(Files.readString(first.folder().resolve("vstation.log")).contains("simulated emulator fault"));
    }
}
