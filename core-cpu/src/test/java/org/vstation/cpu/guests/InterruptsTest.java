package org.vstation.cpu.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.vstation.cpu.harness.BiosGuest;
import org.vstation.cpu.harness.ProcessorFactory;

/**
 * NMI and INTR delivery, HLT wake-up and the STI shadow ({@code interrupts.asm}),
 * with this test as the interrupt controller: QEMU cannot be the reference
 * without a PIC program in the guest, so the expected output is written from
 * the SDM ({@code interrupts.expected}).
 */
class InterruptsTest {
    private static final int REQUEST_PORT = 0x500;
    private static final int VECTOR = 0x40;

    private BiosGuest guest;
    private boolean nmiAtHalt;
    private boolean intrAtHalt;

    @Test
    void interruptsWakeHltAndWaitForTheStiShadow() throws IOException {
        String expected = Files.readString(SystemGuestsTest.guestDirectory().resolve("interrupts.expected"),
                StandardCharsets.US_ASCII);
        guest = new BiosGuest(SystemGuestsTest.image("interrupts.asm"), 32 * 1024 * 1024, ProcessorFactory.X86_CPU,
                REQUEST_PORT, this::request, () -> {
                    guest.cpu().setInterruptRequest(false); // the acknowledge clears the request, as a PIC's would
                    return VECTOR;
                });
        BiosGuest.Result result = guest.run(1_000_000);
        for (int halts = 0; result.ending() == BiosGuest.Ending.HALTED && halts < 4; halts++) {
            if (nmiAtHalt) guest.cpu().raiseNmi();
            if (intrAtHalt) guest.cpu().setInterruptRequest(true);
            nmiAtHalt = false;
            intrAtHalt = false;
            result = guest.run(1_000_000);
        }
        assertEquals(expected, result.serial(), result.ending() + " at " + result.state());
        assertEquals(BiosGuest.Ending.END_MARKER, result.ending(), result.state());
    }

    private void request(int what) {
        switch (what) {
            case 1 -> nmiAtHalt = true;
            case 2 -> guest.cpu().setInterruptRequest(true);
            case 3 -> intrAtHalt = true;
            default -> throw new IllegalArgumentException("unknown request " + what);
        }
    }
}
