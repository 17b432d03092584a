package org.vstation.manager.library;

import java.nio.file.Path;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicMode;

/**
 * What the user chose for a new VM (the New VM wizard, or {@code vstation create}).
 *
 * @param diskSizeBytes 0 for a VM without a hard disk
 * @param iso           the install ISO, or null for an empty CD/DVD drive
 * @param bridgeInterface the host interface of a bridged adapter, null in other modes
 */
public record NewVm(String name, GuestOs guestOs, int memoryMb, long diskSizeBytes, Path iso, NicMode nicMode,
                    String bridgeInterface) {

    public static final long DEFAULT_DISK_BYTES = 8L << 30;

    public static NewVm withDefaults(String name) {
        return new NewVm(name, GuestOs.OTHER, 256, DEFAULT_DISK_BYTES, null, NicMode.NAT, null);
    }

    public NewVm withGuestOs(GuestOs value) {
        return new NewVm(name, value, memoryMb, diskSizeBytes, iso, nicMode, bridgeInterface);
    }

    public NewVm withMemoryMb(int value) {
        return new NewVm(name, guestOs, value, diskSizeBytes, iso, nicMode, bridgeInterface);
    }

    public NewVm withDiskSizeBytes(long value) {
        return new NewVm(name, guestOs, memoryMb, value, iso, nicMode, bridgeInterface);
    }

    public NewVm withIso(Path value) {
        return new NewVm(name, guestOs, memoryMb, diskSizeBytes, value, nicMode, bridgeInterface);
    }

    public NewVm withBridgeInterface(String value) {
        return new NewVm(name, guestOs, memoryMb, diskSizeBytes, iso, nicMode, value);
    }

    public NewVm withNicMode(NicMode value) {
        return new NewVm(name, guestOs, memoryMb, diskSizeBytes, iso, value, bridgeInterface);
    }
}
