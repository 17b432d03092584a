package org.vstation.cpu.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.vstation.cpu.harness.BiosGuest;
import org.vstation.cpu.harness.ProcessorFactory;

/**
 * The checks QEMU's TCG does not make (segment limits and types on data
 * accesses, #AC, ...), so their reference is an expected output written from
 * the Intel SDM next to each guest ({@code <guest>.expected}); the guests
 * print "eip=fault" when the fault is at the instruction they name, so the
 * expected text holds no addresses.
 */
class SdmChecksTest {
    private static final int RAM_BYTES = 32 * 1024 * 1024;

    private static void check(String guest) throws IOException {
        String expected = Files.readString(SystemGuestsTest.guestDirectory().resolve(guest.replace(".asm", ".expected")),
                StandardCharsets.US_ASCII);
        BiosGuest machine = new BiosGuest(SystemGuestsTest.image(guest), RAM_BYTES, ProcessorFactory.X86_CPU);
        BiosGuest.Result actual = machine.run(10_000_000);
        assertEquals(expected, actual.serial(), guest + " ended with " + actual.ending() + " at " + actual.state());
        assertEquals(BiosGuest.Ending.END_MARKER, actual.ending(), actual.state());
    }

    @Test
    void segmentChecksFollowTheSdm() throws IOException {
        check("sdm-checks.asm");
    }

    @Test
    void alignmentCheckAndMovSsShadowFollowTheSdm() throws IOException {
        check("sdm-pending.asm");
    }
}
