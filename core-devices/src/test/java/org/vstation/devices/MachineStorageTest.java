package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.cpu.bus.IoBus;
import org.vstation.devices.ide.AtaDisk;
import org.vstation.devices.ide.AtapiCdrom;
import org.vstation.devices.ide.IdeDevice;
import org.vstation.devices.ide.Piix3Ide;
import org.vstation.devices.pci.PciDevice;
import org.vstation.devices.storage.ImageException;
import org.vstation.devices.storage.IsoImage;
import org.vstation.devices.storage.RawDiskImage;

/** The storage block of the machine: where the drives are, host media changes, and images at power off. */
class MachineStorageTest {
    @TempDir
    Path dir;

    private MachineTest.ScriptedProcessor cpu;

    private Path iso(String name) throws Exception {
        byte[] iso = new byte[40 * 2048];
        iso[16 * 2048] = 1;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, 16 * 2048 + 1, 5);
        Path path = dir.resolve(name);
        Files.write(path, iso);
        return path;
    }

    private Machine newMachine(MachineConfig config) {
        return new Machine("storage", config.memoryMegabytes(16).biosImage(new byte[0x10000]),
                (memory, io, ic, clock) -> cpu = new MachineTest.ScriptedProcessor(memory, io));
    }

    /** Runs guest steps one per slice; a step returning false is retried next slice (waiting for BSY). */
    private void script(Machine machine, List<Predicate<IoBus>> steps) {
        int[] next = {0};
        cpu.script = p -> {
            if (next[0] < steps.size() && steps.get(next[0]).test(p.io)) {
                next[0]++;
            }
        };
    }

    /** PACKET, the 12 bytes once the drive asks for them, then the wait for the status phase. */
    private static void addPacket(List<Predicate<IoBus>> steps, byte[] packet) {
        steps.add(io -> {
            io.write(0x176, 1, 0xA0);
            io.write(0x177, 1, IdeDevice.CMD_PACKET);
            return true;
        });
        steps.add(io -> {
            if (!notBusy(io)) {
                return false;
            }
            for (int i = 0; i < 12; i += 2) {
                io.write(0x170, 2, packet[i] & 0xFF | (packet[i + 1] & 0xFF) << 8);
            }
            return true;
        });
        steps.add(MachineStorageTest::notBusy);
    }

    private static boolean notBusy(IoBus io) {
        return (io.read(0x376, 1) & IdeDevice.STATUS_BSY) == 0;
    }

    @Test
    void disksAndTheCdDriveAreWhereQemuPutsThem() throws Exception {
        Path disk = dir.resolve("disk.img");
        RawDiskImage.create(disk, 1 << 20);
        Machine machine = newMachine(new MachineConfig().diskImage(RawDiskImage.open(disk))
                .cdromImage(IsoImage.open(iso("a.iso"))));
        Piix3Ide ide = machine.ide();
        assertSame(ide, machine.pciBus().function(1, Piix3Ide.PCI_FUNCTION));
        assertInstanceOf(AtaDisk.class, ide.primary().device(0));
        assertInstanceOf(AtapiCdrom.class, ide.secondary().device(0));
        assertEquals(null, ide.primary().device(1));
        machine.start();
        machine.powerOff();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        RawDiskImage.open(disk).close(); // powering off released the disk
    }

    @Test
    void hardDisksTakeTheThreePlacesBesideTheCdDrive() throws Exception {
        List<Path> images = new ArrayList<>();
        MachineConfig config = new MachineConfig();
        for (MachineConfig.DiskPosition position : MachineConfig.DiskPosition.values()) {
            Path disk = dir.resolve("disk" + position.ordinal() + ".img");
            RawDiskImage.create(disk, (position.ordinal() + 1) << 20);
            images.add(disk);
            config.diskImage(position, RawDiskImage.open(disk));
        }
        Machine machine = newMachine(config);
        Piix3Ide ide = machine.ide();
        assertEquals(1 << 20, ((AtaDisk) ide.primary().device(0)).image().size());
        assertEquals(2 << 20, ((AtaDisk) ide.primary().device(1)).image().size());
        assertInstanceOf(AtapiCdrom.class, ide.secondary().device(0));
        assertEquals(3 << 20, ((AtaDisk) ide.secondary().device(1)).image().size());
        machine.start();
        machine.powerOff();
        assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        for (Path image : images) {
            RawDiskImage.open(image).close(); // powering off released every disk
        }
    }

    @Test
    void hostMediaChangesAndAGuestLock() throws Exception {
        Machine machine = newMachine(new MachineConfig());
        AtapiCdrom drive = (AtapiCdrom) machine.ide().secondary().device(0);
        CompletableFuture<Boolean> locked = new CompletableFuture<>();
        List<Predicate<IoBus>> steps = new ArrayList<>();
        steps.add(io -> {
            io.write(0xCF8, 4, 0x8000_0000 | 1 << 11 | 1 << 8 | Piix3Ide.IDETIM_SECONDARY);
            io.write(0xCFC + 2, 2, Piix3Ide.IDETIM_DECODE_ENABLE);
            io.write(0xCF8, 4, 0x8000_0000 | 1 << 11 | 1 << 8 | PciDevice.COMMAND);
            io.write(0xCFC, 2, PciDevice.COMMAND_IO_SPACE);
            return true;
        });
        steps.add(io -> drive.medium() != null); // wait for the host's insert
        addPacket(steps, new byte[] {0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); // TEST UNIT READY: the unit attention
        addPacket(steps, new byte[] {0x1E, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}); // PREVENT MEDIUM REMOVAL
        steps.add(io -> locked.complete((io.read(0x177, 1) & IdeDevice.STATUS_ERR) == 0 && drive.isRemovalPrevented()));
        script(machine, steps);
        machine.start();
        try {
            IsoImage first = IsoImage.open(iso("first.iso"));
            machine.changeCdrom(first).get(5, TimeUnit.SECONDS);
            assertTrue(locked.get(5, TimeUnit.SECONDS), "the guest locked the tray");
            assertEquals(AtapiCdrom.EjectResult.LOCKED_BY_GUEST, machine.ejectCdrom().get(5, TimeUnit.SECONDS));
            IsoImage second = IsoImage.open(iso("second.iso"));
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> machine.changeCdrom(second).get(5, TimeUnit.SECONDS));
            assertInstanceOf(AtapiCdrom.MediumLockedException.class, refused.getCause());
            assertTrue(refused.getCause().getMessage().contains("locked"), refused.getCause().getMessage());
            assertEquals(MachineState.RUNNING, machine.state(), "the VM runs on");
            assertSame(first, machine.ide().secondary().device(0) instanceof AtapiCdrom cd ? cd.medium() : null);

            // "disconnect anyway": the forced change goes through, the old image is closed, the lock stays
            IsoImage third = IsoImage.open(iso("third.iso"));
            machine.changeCdrom(third, true).get(5, TimeUnit.SECONDS);
            assertSame(third, drive.medium());
            assertTrue(drive.isRemovalPrevented());
            assertThrows(IOException.class, () -> first.read(0, new byte[2048], 0, 2048), "the old image is closed");
            assertEquals(AtapiCdrom.EjectResult.LOCKED_BY_GUEST, machine.ejectCdrom().get(5, TimeUnit.SECONDS));
            assertEquals(AtapiCdrom.EjectResult.EJECTED, machine.ejectCdrom(true).get(5, TimeUnit.SECONDS));
            assertThrows(IOException.class, () -> third.read(0, new byte[2048], 0, 2048), "the forced eject closes it");
            assertEquals(AtapiCdrom.EjectResult.NO_MEDIUM, machine.ejectCdrom(true).get(5, TimeUnit.SECONDS));
            assertEquals(MachineState.RUNNING, machine.state());

            ImageException bad = assertThrows(ImageException.class, () -> IsoImage.open(dir.resolve("missing.iso")));
            assertEquals(ImageException.Reason.MISSING, bad.reason());
        } finally {
            machine.powerOff();
            assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void ejectAndChangeOnAnUnlockedDrive() throws Exception {
        Machine machine = newMachine(new MachineConfig());
        machine.start();
        try {
            assertEquals(AtapiCdrom.EjectResult.NO_MEDIUM, machine.ejectCdrom().get(5, TimeUnit.SECONDS));
            machine.changeCdrom(IsoImage.open(iso("one.iso"))).get(5, TimeUnit.SECONDS);
            machine.changeCdrom(IsoImage.open(iso("two.iso"))).get(5, TimeUnit.SECONDS);
            AtapiCdrom drive = (AtapiCdrom) machine.ide().secondary().device(0);
            assertEquals("two.iso", drive.medium().description());
            assertEquals(AtapiCdrom.EjectResult.EJECTED, machine.ejectCdrom().get(5, TimeUnit.SECONDS));
        } finally {
            machine.powerOff();
            assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        }
    }
}
