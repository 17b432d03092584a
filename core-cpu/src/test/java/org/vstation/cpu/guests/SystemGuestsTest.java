package org.vstation.cpu.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vstation.cpu.harness.BiosGuest;
import org.vstation.cpu.harness.ProcessorFactory;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.fixtures.qemu.QemuRunner;

/**
 * Issue 3, "Done when" 3: each nasm guest under {@code src/test/resources/guests}
 * runs in {@code qemu-system-i386 -cpu pentium2} and in X86Cpu, and both must
 * print exactly the same on COM1. The guests check their own sanity against
 * QEMU too: QEMU must reach the end marker.
 */
class SystemGuestsTest {
    /** Same RAM as QemuRunner's default, so nothing a guest observes can differ by memory size. */
    private static final int RAM_BYTES = 32 * 1024 * 1024;
    private static final long MAX_INSTRUCTIONS = 50_000_000;

    static Path guestDirectory() {
        try {
            return Path.of(SystemGuestsTest.class.getResource("/guests/lib.inc").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] image(String guest) {
        return Nasm.assembleFile(guestDirectory().resolve(guest));
    }

    /** The reference output: QEMU must run the guest to its end marker. */
    static String qemuOutput(byte[] image, String guest) {
        QemuRunner.Result reference = new QemuRunner(Duration.ofSeconds(30)).run(image);
        assertEquals(QemuRunner.Ending.END_MARKER, reference.ending(),
                guest + " did not finish in QEMU; its output:\n" + reference.serial());
        return reference.serial();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pm-entry.asm", "exceptions.asm", "privilege.asm", "paging.asm",
            "task-switch.asm", "sysenter.asm", "v86.asm", "debug.asm", "real-mode.asm"})
    void printsWhatQemuPrints(String guest) {
        compareWithQemu(guest);
    }

    /** QEMU (-no-reboot) exits on a triple fault; X86Cpu reports SHUTDOWN, after the same output. */
    @Test
    void tripleFaultShutsDownAsInQemu() {
        byte[] image = image("triple-fault.asm");
        QemuRunner.Result reference = new QemuRunner(Duration.ofSeconds(30)).run(image);
        assertEquals(QemuRunner.Ending.QEMU_EXITED, reference.ending(), reference.serial());
        BiosGuest.Result actual = new BiosGuest(image, RAM_BYTES, ProcessorFactory.X86_CPU).run(MAX_INSTRUCTIONS);
        assertEquals(BiosGuest.Ending.SHUTDOWN, actual.ending(), actual.state());
        assertEquals(reference.serial(), actual.serial());
    }

    @Test
    void x87ErrorsReachTheProcessorAsQemuShows() {
        compareWithQemu("x87-exceptions.asm");
    }

    @Test
    void stackOverflowReachesTheDoubleFaultTaskAsInQemu() {
        compareWithQemu("stack-faults.asm");
    }

    @Test
    void ringTransitionStackOverflowReachesTheDoubleFaultTaskAsInQemu() {
        compareWithQemu("stack-faults-ring3.asm");
    }

    @Test
    void dataBreakpointsTrapAsQemuShows() {
        compareWithQemu("debug-data.asm");
    }

    /**
     * Issue 4, "Done when" 3: FSAVE/FRSTOR round trips in real and protected mode, 16- and 32-bit, and lazy
     * switching with CR0.TS, as QEMU shows them.
     */
    @Test
    void x87StateSurvivesSaveRestoreAndLazySwitchingAsQemuShows() {
        compareWithQemu("x87-state.asm");
    }

    private static void compareWithQemu(String guest) {
        byte[] image = image(guest);
        String expected = qemuOutput(image, guest);
        BiosGuest machine = new BiosGuest(image, RAM_BYTES, ProcessorFactory.X86_CPU);
        BiosGuest.Result actual = machine.run(MAX_INSTRUCTIONS);
        assertEquals(expected, actual.serial(), guest + " ended with " + actual.ending() + " at " + actual.state());
        assertEquals(BiosGuest.Ending.END_MARKER, actual.ending(), actual.state());
    }
}
