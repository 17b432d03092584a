package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.X86Cpu;
import org.vstation.fixtures.nasm.Nasm;

/**
 * The platform devices seen through the real CPU: a nasm "BIOS" programs the
 * 8259 pair, the PIT at 1000 Hz and the RTC at 1024 Hz, counts both
 * interrupts over half a second, then toggles A20 through the 8042
 * (resource platform-guest.asm).
 */
class PlatformGuestTest {
    private static final Pattern REPORT =
            Pattern.compile("PIT=(\\d+) RTC=(\\d+) A20ON=([YN]) A20OFF=([YN]) DONE");

    @Test
    void interruptsArriveAtTheirProgrammedRatesAndA20FollowsThe8042() throws Exception {
        byte[] bios = Nasm.assembleResource(PlatformGuestTest.class, "platform-guest.asm");
        Machine machine = new Machine("platform-guest", new MachineConfig().memoryMegabytes(16).biosImage(bios),
                X86Cpu::new);
        StringBuffer console = new StringBuffer();
        CountDownLatch done = new CountDownLatch(1);
        machine.addDebugConsoleListener(b -> {
            console.append((char) b);
            if (b == '\n') done.countDown();
        });
        machine.start();
        try {
            assertTrue(done.await(30, TimeUnit.SECONDS), "the guest did not finish: " + console);
        } finally {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }

        Matcher report = REPORT.matcher(console);
        assertTrue(report.find(), console.toString());
        int pitTicks = Integer.parseInt(report.group(1));
        int rtcTicks = Integer.parseInt(report.group(2));
        assertTrue(pitTicks >= 500, "the guest waits for 500 PIT ticks; owed ticks may add a few: " + console);
        // Both rates come from the same virtual clock: 1024 RTC ticks per 1000.15 PIT ticks. Periods that
        // end while the guest cannot take them (the host descheduled the VM thread) are owed and delivered
        // late by both timers' lost-tick compensation, so the ratio holds on a loaded host too.
        double ratio = rtcTicks / (double) pitTicks;
        assertTrue(ratio > 0.90 && ratio < 1.10, "RTC/PIT interrupt ratio " + ratio + " in " + console);
        assertEquals("Y", report.group(3), "with A20 on, 0x100000 is not address 0");
        assertEquals("Y", report.group(4), "with A20 off through the 8042, 0x100000 wraps to 0");
    }
}
