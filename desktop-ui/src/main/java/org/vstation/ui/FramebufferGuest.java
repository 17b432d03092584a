package org.vstation.ui;

import java.io.IOException;
import org.vstation.cpu.X86Cpu;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.devices.guest.GuestAssembler;

/**
 * The console benchmark's steady guest ({@code console-bench-guest.asm}): a stand-in BIOS that sets
 * a 1024x768x32 VBE mode and then forever changes every page of the framebuffer (or every pixel)
 * and runs a fixed compute loop, never looking at a clock. Assembled with nasm when the benchmark runs, as the test guests
 * are, so no binary is kept; it needs no firmware.
 */
final class FramebufferGuest {
    static final String SOURCE = "console-bench-guest.asm";

    private final byte[] rom;

    private FramebufferGuest(byte[] rom) {
        this.rom = rom;
    }

    /**
     * Assembles the guest; {@code wholeFrame} makes it rewrite every pixel of every frame instead of
     * one per page. A missing or failing nasm is an {@link IOException} that says so.
     */
    static FramebufferGuest assemble(boolean wholeFrame) throws IOException, InterruptedException {
        String[] defines = wholeFrame ? new String[] {"WHOLE_FRAME"} : new String[0];
        return new FramebufferGuest(GuestAssembler.assemble(FramebufferGuest.class, SOURCE, defines));
    }

    /** A powered-off machine that runs this guest: 32 MiB of RAM and the 16 MiB standard VGA, nothing else. */
    Machine build(String name) {
        return new Machine(name, new MachineConfig().memoryMegabytes(32).biosImage(rom), X86Cpu::new);
    }
}
