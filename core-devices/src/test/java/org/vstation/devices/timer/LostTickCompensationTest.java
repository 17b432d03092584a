package org.vstation.devices.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.DualPic;

/**
 * PIT ticks (and RTC periodic interrupts) that arrive while the guest cannot
 * take them (interrupts off, IRQ masked in a handler, a descheduled VM
 * thread) are owed and delivered after the next INTA (RTC: register C read),
 * so a guest counting them keeps time.
 */
class LostTickCompensationTest {
    private static final long MS = 1_000_000L;

    private long now = 1_000_000_000L;
    private final EventQueue events = new EventQueue(() -> now);
    private final DualPic pic = new DualPic();
    private final Pit8254 pit = new Pit8254(events, pic.line(0));
    private final IoPortBus io = new IoPortBus();
    private boolean intr;
    private int ticksTaken;

    LostTickCompensationTest() {
        io.place(pic.master(), DualPic.MASTER_PORT, DualPic.PORT_COUNT);
        io.place(pic.slave(), DualPic.SLAVE_PORT, DualPic.PORT_COUNT);
        io.place(pit, Pit8254.BASE_PORT, Pit8254.PORT_COUNT);
        pic.connectCpu(level -> intr = level);
        pit.compensateLostTicks(() -> pic.isRequestLatched(0));
        pic.setAcknowledgeListener(0, pit::irq0Acknowledged);
        int[] init = {0x11, 0x08, 0x04, 0x01};
        for (int i = 0; i < init.length; i++) io.write(i == 0 ? 0x20 : 0x21, 1, init[i]);
        io.write(0x43, 1, 0x34);     // counter 0, mode 2
        io.write(0x40, 1, 11932 & 0xFF);
        io.write(0x40, 1, 11932 >>> 8); // 100 Hz
    }

    /** The VM loop: timers first, then the CPU takes every interrupt it can (interrupts enabled). */
    private void run(long nanos, boolean interruptsEnabled) {
        long end = now + nanos;
        while (true) {
            if (interruptsEnabled) {
                while (intr) {
                    assertEquals(0x08, pic.acknowledgeInterrupt());
                    ticksTaken++;
                    io.write(0x20, 1, 0x20); // EOI
                }
            }
            long next = events.nextDeadline();
            if (next > end) break;
            now = Math.max(now, next);
            events.runDue();
        }
        now = end;
    }

    @Test
    void ticksMissedWithInterruptsOffAreDeliveredAfterwards() {
        run(55 * MS, false);
        assertEquals(0, ticksTaken);
        assertEquals(4, pit.owedTicks(), "one tick waits in the PIC, four are owed");
        run(1 * MS, true);
        assertEquals(5, ticksTaken);
        run(945 * MS, true);
        assertEquals(100, ticksTaken, 1);
    }

    @Test
    void ticksMissedByALateVmThreadAreOwedToo() {
        run(5 * MS, true);
        now += 70 * MS; // the VM thread did not get to its timers for 70 ms
        run(1 * MS, true);
        assertTrue(ticksTaken >= 7, "the ticks of the 70 ms gap arrive: " + ticksTaken);
        run(924 * MS, true);
        assertEquals(100, ticksTaken, 1);
    }

    @Test
    void ticksThatComeWhileAHandlerMasksIrq0AreOwedToo() {
        run(11 * MS, true);
        assertEquals(1, ticksTaken);
        io.write(0x21, 1, 0x01); // Linux masks IRQ 0 in the IMR while its handler runs...
        run(50 * MS, true);      // ...and the host deschedules the VM thread for 50 ms
        io.write(0x21, 1, 0x00);
        run(1 * MS, true);
        assertEquals(6, ticksTaken, "the edge waiting in IRR plus four owed ticks");
        assertEquals(0, pit.owedTicks());
    }

    @Test
    void aTickDroppedByPicReinitialisationDoesNotStopTheTimer() {
        run(15 * MS, false);     // a tick waits in IRR (SeaBIOS's timer, as Linux takes over)
        int[] init = {0x11, 0x08, 0x04, 0x01};
        for (int i = 0; i < init.length; i++) io.write(i == 0 ? 0x20 : 0x21, 1, init[i]); // ICW1 clears IRR
        run(100 * MS, true);
        assertEquals(10, ticksTaken, 1);
    }

    @Test
    void atMostOneSecondOfTicksIsOwed() {
        run(5000 * MS, false);
        assertEquals(100, pit.owedTicks());
    }

    @Test
    void rtcPeriodicInterruptsMissedWhileRegisterCWasUnreadAreOwed() {
        boolean[] irq8 = {false};
        int[] risingEdges = {0};
        Mc146818Rtc rtc = new Mc146818Rtc(events, high -> {
            if (high && !irq8[0]) risingEdges[0]++;
            irq8[0] = high;
        }, LocalDateTime.of(2026, 1, 1, 0, 0));
        rtc.compensateLostTicks();
        rtc.ioWrite(0, 1, 0x0A);
        rtc.ioWrite(1, 1, 0x2A);              // 64 Hz
        rtc.ioWrite(0, 1, 0x0B);
        rtc.ioWrite(1, 1, 0x42);              // PIE, 24 hour
        rtc.ioWrite(0, 1, 0x0C);
        rtc.ioRead(1, 1);
        run(100 * MS, false);                 // about six periods, C never read
        assertTrue(irq8[0]);
        int taken = 0;
        while (irq8[0]) {                     // each handler reads C; owed interrupts follow at once
            rtc.ioWrite(0, 1, 0x0C);
            assertEquals(0xC0, rtc.ioRead(1, 1) & 0xC0);
            taken++;
        }
        assertEquals(6, taken, 1);
        assertEquals(taken, risingEdges[0], "every owed interrupt is a new edge for the edge-triggered PIC");
        assertEquals(0, rtc.owedPeriodicInterrupts());

        rtc.ioWrite(0, 1, 0x0A);
        rtc.ioWrite(1, 1, 0x26);              // a new rate forgives the debt
        run(100 * MS, false);
        rtc.ioWrite(0, 1, 0x0A);
        rtc.ioWrite(1, 1, 0x2A);
        assertEquals(0, rtc.owedPeriodicInterrupts());
    }

    @Test
    void reprogrammingTheCounterForgivesTheDebt() {
        run(55 * MS, false);
        io.write(0x43, 1, 0x34);
        assertEquals(0, pit.owedTicks());
    }
}
