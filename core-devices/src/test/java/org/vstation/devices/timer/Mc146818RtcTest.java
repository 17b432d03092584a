package org.vstation.devices.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.timer.Mc146818Rtc.BootDevice;

/** Reads and programs the RTC through ports 0x70/0x71 as a BIOS or kernel does, on a manual clock. */
class Mc146818RtcTest {
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;
    /** A Saturday, 250 ms into the second: the first update ends 750 ms after power on. */
    private static final LocalDateTime START = LocalDateTime.of(2026, 11, 21, 23, 59, 58, 250_000_000);

    private long now = 3_000_000_000L;
    private final EventQueue events = new EventQueue(() -> now);
    private boolean irq8;
    private int irq8RisingEdges;
    private final Mc146818Rtc rtc = new Mc146818Rtc(events, high -> {
        if (high && !irq8) irq8RisingEdges++;
        irq8 = high;
    }, START);
    private final IoPortBus io = new IoPortBus();

    Mc146818RtcTest() {
        io.place(rtc, Mc146818Rtc.BASE_PORT, Mc146818Rtc.PORT_COUNT);
    }

    private int read(int register) {
        io.write(0x70, 1, 0x80 | register);
        return io.read(0x71, 1);
    }

    private void write(int register, int value) {
        io.write(0x70, 1, 0x80 | register);
        io.write(0x71, 1, value);
    }

    private void advance(long nanos) {
        long end = now + nanos;
        while (events.nextDeadline() <= end) {
            now = Math.max(now, events.nextDeadline());
            events.runDue();
        }
        now = end;
    }

    /** Counts interrupts over {@code nanos}, reading register C in each "handler" as drivers must. */
    private int countInterruptsServicingC(long nanos) {
        long end = now + nanos;
        int serviced = 0;
        while (events.nextDeadline() <= end) {
            now = Math.max(now, events.nextDeadline());
            events.runDue();
            if (irq8) {
                serviced++;
                read(Mc146818Rtc.REGISTER_C);
            }
        }
        now = end;
        return serviced;
    }

    @Test
    void powerOnTimeComesFromTheHostInBcd24Hour() {
        assertEquals(0x58, read(0x00));
        assertEquals(0x59, read(0x02));
        assertEquals(0x23, read(0x04));
        assertEquals(0x07, read(0x06), "Saturday is day 7");
        assertEquals(0x21, read(0x07));
        assertEquals(0x11, read(0x08));
        assertEquals(0x26, read(0x09));
        assertEquals(0x20, read(0x32));
        assertEquals(0x80, read(0x0D), "VRT: valid RAM and time");
    }

    @Test
    void timeAdvancesWithTheVirtualClockAndCarriesIntoTheNextDay() {
        advance(749 * MS);
        assertEquals(0x58, read(0x00));
        advance(2 * MS);
        assertEquals(0x59, read(0x00));
        advance(1000 * MS);
        assertEquals(0x00, read(0x00));
        assertEquals(0x00, read(0x02));
        assertEquals(0x00, read(0x04));
        assertEquals(0x22, read(0x07));
        assertEquals(0x01, read(0x06), "Sunday follows Saturday");
        advance(3600_000 * MS);
        assertEquals(0x01, read(0x04));
    }

    @Test
    void uipRises244MicrosecondsBeforeTheUpdateCycleAndFallsWhenItEnds() {
        long updateEnd = now + 750 * MS;
        advance(updateEnd - now - 2240 * US);
        assertEquals(0, read(0x0A) & 0x80, "more than 244 us before the update cycle");
        advance(20 * US);
        assertEquals(0x80, read(0x0A) & 0x80, "within 244 + 1984 us of the end of the update");
        assertEquals(0x58, read(0x00), "the time has not changed yet");
        advance(2210 * US);
        assertEquals(0x80, read(0x0A) & 0x80);
        advance(20 * US);
        assertEquals(0x00, read(0x0A) & 0x80, "UIP falls when the update cycle ends");
        assertEquals(0x59, read(0x00));
        assertEquals(0x26, read(0x0A), "divider and rate as the BIOS leaves them");
    }

    @Test
    void periodicInterruptArrivesAtTheProgrammedRate() {
        write(0x0A, 0x26); // 1024 Hz
        write(0x0B, read(0x0B) | Mc146818Rtc.B_PIE);
        assertEquals(1024, countInterruptsServicingC(1000 * MS), 1);
        write(0x0A, 0x2F); // 2 Hz
        assertEquals(2, countInterruptsServicingC(1000 * MS), 1);
        write(0x0A, 0x23); // 8192 Hz
        assertEquals(8192, countInterruptsServicingC(1000 * MS), 1);
        write(0x0A, 0x21); // rate select 1 is 256 Hz on a 32 kHz time base
        assertEquals(256, countInterruptsServicingC(1000 * MS), 1);
    }

    @Test
    void withoutReadingRegisterCNoFurtherInterruptArrives() {
        write(0x0B, read(0x0B) | Mc146818Rtc.B_PIE);
        advance(100 * MS);
        assertEquals(1, irq8RisingEdges);
        assertTrue(irq8);
        int c = read(0x0C);
        assertEquals(0xC0, c & 0xC0, "IRQF and PF");
        assertFalse(irq8);
        assertEquals(0, read(0x0C) & 0xC0, "register C clears on read");
        advance(2 * MS);
        assertEquals(2, irq8RisingEdges);
    }

    @Test
    void periodicFlagIsSetForPollingWithoutInterrupt() {
        read(0x0C);
        advance(2 * MS);
        int c = read(0x0C);
        assertEquals(Mc146818Rtc.C_PF, c & 0xC0, "PF without IRQF");
        assertEquals(0, irq8RisingEdges);
    }

    @Test
    void updateEndedInterruptOncePerSecond() {
        write(0x0B, read(0x0B) | Mc146818Rtc.B_UIE);
        assertEquals(3, countInterruptsServicingC(3000 * MS));
    }

    @Test
    void alarmInterruptFiresWhenTheTimeMatches() {
        write(0x01, 0x05);
        write(0x03, 0x00);
        write(0x05, 0xC0); // any hour
        write(0x0B, read(0x0B) | Mc146818Rtc.B_AIE);
        advance(6 * 1000 * MS);
        assertEquals(0x04, read(0x00));
        assertFalse(irq8, "00:00:04 does not match xx:00:05");
        advance(1000 * MS);
        assertTrue(irq8);
        assertEquals(0x05, read(0x00));
        int c = read(0x0C);
        assertEquals(Mc146818Rtc.C_IRQF | Mc146818Rtc.C_AF | Mc146818Rtc.C_UF, c & 0xB0, "PF is set too, at 1024 Hz");
        assertEquals(Mc146818Rtc.C_PF, c & Mc146818Rtc.C_PF);
    }

    @Test
    void binaryTwelveHourModeRollsOverAtMidnight() {
        write(0x0B, Mc146818Rtc.B_SET | Mc146818Rtc.B_BINARY);
        write(0x00, 59);
        write(0x02, 59);
        write(0x04, 0x80 | 11); // 11 PM
        write(0x07, 28);
        write(0x08, 2);
        write(0x09, 24);        // 2024 is a leap year
        write(0x0B, Mc146818Rtc.B_BINARY);
        advance(1000 * MS);
        assertEquals(0, read(0x00));
        assertEquals(12, read(0x04), "12 AM");
        assertEquals(29, read(0x07));
        assertEquals(2, read(0x08));
    }

    @Test
    void twelveHourNoonSetsPm() {
        write(0x0B, Mc146818Rtc.B_SET);
        write(0x00, 0x59);
        write(0x02, 0x59);
        write(0x04, 0x11); // 11 AM, BCD
        write(0x0B, 0x00);
        advance(1000 * MS);
        assertEquals(0x92, read(0x04), "12 PM");
        write(0x0B, Mc146818Rtc.B_SET);
        write(0x00, 0x59);
        write(0x02, 0x59);
        write(0x0B, 0x00);
        advance(1000 * MS);
        assertEquals(0x81, read(0x04), "1 PM");
    }

    @Test
    void setBitStopsUpdatesAndUip() {
        write(0x0B, read(0x0B) | Mc146818Rtc.B_SET | Mc146818Rtc.B_UIE);
        assertEquals(0, read(0x0B) & Mc146818Rtc.B_UIE, "SET clears UIE");
        advance(749 * MS);
        assertEquals(0, read(0x0A) & 0x80);
        advance(5000 * MS);
        assertEquals(0x58, read(0x00));
        write(0x0B, read(0x0B) & ~Mc146818Rtc.B_SET);
        advance(1000 * MS);
        assertEquals(0x59, read(0x00));
    }

    @Test
    void dividerResetHoldsTimeAndTheFirstUpdateComesHalfASecondAfterRelease() {
        write(0x0A, 0x66);
        advance(10_000 * MS);
        assertEquals(0x58, read(0x00));
        write(0x0A, 0x26);
        advance(495 * MS);
        assertEquals(0x58, read(0x00));
        advance(10 * MS);
        assertEquals(0x59, read(0x00));
    }

    @Test
    void port70Bit7MasksNmi() {
        io.write(0x70, 1, 0x0F);
        assertFalse(rtc.nmiMasked());
        io.write(0x70, 1, 0x8F);
        assertTrue(rtc.nmiMasked());
    }

    @Test
    void cmosRamHoldsWhatTheGuestWrites() {
        for (int address = 0x0E; address < 0x80; address++) write(address, address ^ 0x5A);
        for (int address = 0x0E; address < 0x80; address++) assertEquals(address ^ 0x5A, read(address));
    }

    @Test
    void memoryFieldsAsSeaBiosReadsThem() {
        rtc.setMemorySize(64L << 20, 0);
        assertEquals(640, read(0x15) | read(0x16) << 8);
        assertEquals(63 * 1024, read(0x17) | read(0x18) << 8);
        assertEquals(63 * 1024, read(0x30) | read(0x31) << 8);
        assertEquals((64 - 16) * 16, read(0x34) | read(0x35) << 8, "64 KiB units above 16 MiB");
        assertEquals(0, read(0x5B) | read(0x5C) | read(0x5D));

        rtc.setMemorySize(3584L << 20, 6L << 30);
        assertEquals(0xFFFF, read(0x30) | read(0x31) << 8, "capped");
        assertEquals((3584 - 16) * 16, read(0x34) | read(0x35) << 8);
        assertEquals(0x018000, read(0x5B) | read(0x5C) << 8 | read(0x5D) << 16);
    }

    @Test
    void checksumCoversBytes10To2D() {
        rtc.setMemorySize(128L << 20, 0);
        rtc.setEquipment(0, true);
        int sum = 0;
        for (int a = 0x10; a <= 0x2D; a++) sum += read(a);
        assertEquals(sum, read(0x2E) << 8 | read(0x2F));
        assertEquals(0x02, read(0x14), "coprocessor, VGA, no floppy");
        assertEquals(0x00, read(0x10), "no floppy drives");
    }

    @Test
    void bootOrderAndFloppySignatureFlag() {
        rtc.setBootOrder(BootDevice.CD_ROM, BootDevice.HARD_DISK, BootDevice.FLOPPY);
        rtc.setFloppySignatureCheck(false);
        assertEquals(0x23, read(0x3D));
        assertEquals(0x11, read(0x38));
        rtc.setBootOrder(BootDevice.HARD_DISK);
        assertEquals(0x02, read(0x3D));
        assertEquals(0x01, read(0x38));
        rtc.setCpuCount(1);
        assertEquals(0, read(0x5F));
        assertThrows(IllegalArgumentException.class, () -> rtc.setBootOrder(BootDevice.values()));
    }

    @Test
    void stateSurvivesSnapshot() throws IOException {
        write(0x40, 0x99);
        write(0x0B, read(0x0B) | Mc146818Rtc.B_PIE);
        advance(1500 * MS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        rtc.saveState(new DataOutputStream(bytes));

        EventQueue copyEvents = new EventQueue(() -> now);
        boolean[] copyIrq = {false};
        Mc146818Rtc copy = new Mc146818Rtc(copyEvents, high -> copyIrq[0] = high, LocalDateTime.of(2000, 1, 1, 0, 0));
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertTrue(copyIrq[0], "IRQ 8 is still pending");
        copy.ioWrite(0, 1, 0x00);
        assertEquals(0x59, copy.ioRead(1, 1));
        copy.ioWrite(0, 1, 0x40);
        assertEquals(0x99, copy.ioRead(1, 1));
    }
}
