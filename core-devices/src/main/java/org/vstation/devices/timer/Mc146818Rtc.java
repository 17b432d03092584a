package org.vstation.devices.timer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.LocalDateTime;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * Motorola MC146818A real-time clock with 128 bytes of CMOS RAM at ports 0x70 (index, NMI mask) and 0x71 (data).
 * Follows the MC146818A datasheet (registers A-D, update cycle, interrupts) and the PIIX3 datasheet for port 0x70.
 *
 * <p>The clock runs on a 32.768 kHz divider chain derived from the virtual
 * clock. Each second an update cycle of 1984 us advances the time; UIP
 * (register A bit 7) rises 244 us before it and falls when it ends, which is
 * when the new time is visible and UF is set. Time and flags are brought up
 * to date lazily on every access; an {@link EventQueue} timer runs only while
 * an interrupt is enabled. IRQ 8 follows IRQF and stays high until register C
 * is read. The time starts from the host's clock and then follows the virtual clock.
 * The daylight-saving bit (register B bit 0) is kept but not applied, and the
 * square-wave output has no pin to drive on a PC.
 */
public final class Mc146818Rtc implements IoDevice, Snapshottable {
    public static final int BASE_PORT = 0x70;
    public static final int PORT_COUNT = 2;
    public static final int INDEX_PORT = 0;
    public static final int DATA_PORT = 1;
    private static final int NMI_DISABLE = 0x80;

    // Clock and control registers (datasheet, "Address Map").
    public static final int SECONDS = 0x00;
    public static final int SECONDS_ALARM = 0x01;
    public static final int MINUTES = 0x02;
    public static final int MINUTES_ALARM = 0x03;
    public static final int HOURS = 0x04;
    public static final int HOURS_ALARM = 0x05;
    public static final int DAY_OF_WEEK = 0x06;
    public static final int DAY_OF_MONTH = 0x07;
    public static final int MONTH = 0x08;
    public static final int YEAR = 0x09;
    public static final int REGISTER_A = 0x0A;
    public static final int REGISTER_B = 0x0B;
    public static final int REGISTER_C = 0x0C;
    public static final int REGISTER_D = 0x0D;

    public static final int A_UIP = 0x80;
    private static final int A_DIVIDER_MASK = 0x70;
    private static final int A_DIVIDER_32KHZ = 0x20;
    private static final int A_DIVIDER_RESET = 0x60;
    private static final int A_RATE_MASK = 0x0F;
    public static final int B_SET = 0x80;
    public static final int B_PIE = 0x40;
    public static final int B_AIE = 0x20;
    public static final int B_UIE = 0x10;
    public static final int B_BINARY = 0x04;
    public static final int B_24_HOUR = 0x02;
    public static final int C_IRQF = 0x80;
    public static final int C_PF = 0x40;
    public static final int C_AF = 0x20;
    public static final int C_UF = 0x10;
    public static final int D_VRT = 0x80;
    private static final int HOUR_PM = 0x80;
    private static final int ALARM_DONT_CARE = 0xC0;

    // CMOS RAM fields that firmware reads on a QEMU-style PC (SeaBIOS src/hw/rtc.h, IBM AT technical reference).
    public static final int SHUTDOWN_STATUS = 0x0F;
    public static final int FLOPPY_TYPES = 0x10;
    public static final int EQUIPMENT = 0x14;
    public static final int BASE_MEMORY_LOW = 0x15;
    public static final int BASE_MEMORY_HIGH = 0x16;
    public static final int EXTENDED_MEMORY_LOW = 0x17;
    public static final int EXTENDED_MEMORY_HIGH = 0x18;
    public static final int CHECKSUM_HIGH = 0x2E;
    public static final int CHECKSUM_LOW = 0x2F;
    public static final int ACTUAL_EXTENDED_MEMORY_LOW = 0x30;
    public static final int ACTUAL_EXTENDED_MEMORY_HIGH = 0x31;
    public static final int CENTURY = 0x32;
    public static final int MEMORY_ABOVE_16M_LOW = 0x34;
    public static final int MEMORY_ABOVE_16M_HIGH = 0x35;
    public static final int BOOT_FLAGS_1 = 0x38;
    public static final int BOOT_FLAGS_2 = 0x3D;
    public static final int MEMORY_ABOVE_4G_LOW = 0x5B;
    public static final int MEMORY_ABOVE_4G_MID = 0x5C;
    public static final int MEMORY_ABOVE_4G_HIGH = 0x5D;
    public static final int CPU_COUNT_MINUS_ONE = 0x5F;
    private static final int CHECKSUM_FIRST = 0x10;
    private static final int CHECKSUM_LAST = 0x2D;
    private static final int EQUIPMENT_FLOPPY = 0x01;
    private static final int EQUIPMENT_COPROCESSOR = 0x02;
    private static final int BOOT_FLAGS_1_NO_FLOPPY_SIGNATURE_CHECK = 0x01;

    /** The divider chain: 32.768 kHz. */
    private static final long CHAIN_HZ = 32_768;
    private static final long TICKS_PER_SECOND = CHAIN_HZ;
    /** Update cycle length, 1984 us, and UIP lead time, 244 us, in 32 kHz ticks (datasheet, "Update Cycle"). */
    private static final long UPDATE_CYCLE_TICKS = 65;
    private static final long UIP_LEAD_TICKS = 8;
    /** After the divider leaves reset the first update cycle begins half a second later. */
    private static final long FIRST_UPDATE_DELAY_TICKS = CHAIN_HZ / 2;

    /** A boot device as SeaBIOS reads it from CMOS 0x3D and 0x38. */
    public enum BootDevice {
        FLOPPY(1), HARD_DISK(2), CD_ROM(3), NETWORK(4);

        final int code;

        BootDevice(int code) {
            this.code = code;
        }
    }

    private final TickClock chain = new TickClock(CHAIN_HZ);
    private final EventQueue events;
    private final InterruptLine irq8;
    private final EventQueue.Timer timer;
    private final byte[] cmos = new byte[128];
    private int index;
    private boolean nmiMasked = true;
    /** 32 kHz tick at which the divider chain last left reset; periodic taps and updates are phased from it. */
    private long dividerOrigin;
    /** The tick at which the next update cycle ends. */
    private long nextUpdateEnd;
    /** Flags and time are accounted for up to this tick. */
    private long syncedTick;
    private boolean compensatingLostTicks;
    private int owedPeriodicInterrupts;

    /**
     * @param startTime the time the clock shows at power on (the host's, in the
     *                  zone the guest expects: UTC for Linux, local time for DOS and Windows)
     */
    public Mc146818Rtc(EventQueue events, InterruptLine irq8, LocalDateTime startTime) {
        this.events = events;
        this.irq8 = irq8;
        this.timer = events.newTimer("RTC", this::timerExpired);
        cmos[REGISTER_A] = (byte) (A_DIVIDER_32KHZ | 0x06); // as a BIOS leaves it: 32 kHz, 1024 Hz rate
        cmos[REGISTER_B] = (byte) B_24_HOUR;
        cmos[REGISTER_D] = (byte) D_VRT;
        setTime(startTime);
        setCentury(startTime.getYear() / 100);
        // Phase the chain so the next update lands on the host's next second boundary.
        long now = chain.ticksAt(events.now());
        long untilNextSecond = chain.ticksAt(events.now() + 1_000_000_000L - startTime.getNano()) - now;
        dividerOrigin = now + untilNextSecond - FIRST_UPDATE_DELAY_TICKS - UPDATE_CYCLE_TICKS;
        nextUpdateEnd = now + untilNextSecond;
        syncedTick = now;
    }

    @Override
    public String name() {
        return "MC146818 RTC/CMOS";
    }

    /**
     * Turns on lost-tick compensation for the periodic interrupt, as virtual
     * machines do for guests that keep time by counting it: a periodic
     * interrupt that comes while the previous one is still unread in
     * register C is owed, and register C shows PF again as soon as it is
     * read, also while the guest masks IRQ 8 in its handler. At most one
     * second of them is owed; a new rate or clearing PIE forgives the debt.
     */
    public void compensateLostTicks() {
        compensatingLostTicks = true;
    }

    /** Periodic interrupts owed to the guest (lost-tick compensation). */
    public int owedPeriodicInterrupts() {
        return owedPeriodicInterrupts;
    }

    /** Bit 7 of port 0x70: true while NMIs are masked. */
    public boolean nmiMasked() {
        return nmiMasked;
    }

    // ---- register protocol ----------------------------------------------------------

    @Override
    public int ioRead(int offset, int size) {
        if (offset == INDEX_PORT) {
            return 0xFF; // the index register is write-only (PIIX3 datasheet, RTCI)
        }
        return readRegister(index);
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        if (offset == INDEX_PORT) {
            index = value & 0x7F;
            nmiMasked = (value & NMI_DISABLE) != 0;
        } else {
            writeRegister(index, value & 0xFF);
        }
    }

    private int readRegister(int register) {
        long tick = chain.ticksAt(events.now());
        synchronise(tick);
        switch (register) {
            case REGISTER_A:
                return (cmos[REGISTER_A] & 0x7F) | (updateInProgress(tick) ? A_UIP : 0);
            case REGISTER_C: {
                int flags = cmos[REGISTER_C] & 0xF0;
                cmos[REGISTER_C] = 0; // reading C clears every flag and releases IRQ 8
                updateInterrupt();
                if (owedPeriodicInterrupts > 0 && compensating()) {
                    owedPeriodicInterrupts--;
                    cmos[REGISTER_C] = (byte) C_PF; // the owed interrupt: a new edge on IRQ 8
                    updateInterrupt();
                }
                reschedule(tick);
                return flags;
            }
            case REGISTER_D:
                return D_VRT;
            default:
                return cmos[register] & 0xFF;
        }
    }

    private void writeRegister(int register, int value) {
        long tick = chain.ticksAt(events.now());
        synchronise(tick);
        switch (register) {
            case REGISTER_A -> writeRegisterA(value, tick);
            case REGISTER_B -> {
                if ((value & B_SET) != 0) {
                    value &= ~B_UIE; // SET going high clears UIE (datasheet, register B)
                }
                cmos[REGISTER_B] = (byte) value;
                if ((value & B_PIE) == 0) owedPeriodicInterrupts = 0;
                updateInterrupt();
            }
            case REGISTER_C, REGISTER_D -> { } // read-only
            default -> cmos[register] = (byte) value;
        }
        reschedule(tick);
    }

    private void writeRegisterA(int value, long tick) {
        owedPeriodicInterrupts = 0; // a new rate starts a new timebase
        boolean wasRunning = dividerRunning();
        cmos[REGISTER_A] = (byte) (value & 0x7F);
        if (!wasRunning && dividerRunning()) {
            dividerOrigin = tick;
            nextUpdateEnd = tick + FIRST_UPDATE_DELAY_TICKS + UPDATE_CYCLE_TICKS;
        }
    }

    private boolean compensating() {
        return compensatingLostTicks && (cmos[REGISTER_B] & B_PIE) != 0;
    }

    private boolean dividerRunning() {
        return (cmos[REGISTER_A] & A_DIVIDER_MASK) == A_DIVIDER_32KHZ;
    }

    private boolean updatesInhibited() {
        return (cmos[REGISTER_B] & B_SET) != 0;
    }

    /** Writing SET inhibits updates and clears UIP (datasheet, register A). */
    private boolean updateInProgress(long tick) {
        return dividerRunning() && !updatesInhibited() && nextUpdateEnd - tick <= UPDATE_CYCLE_TICKS + UIP_LEAD_TICKS;
    }

    /** Periodic interrupt period in 32 kHz ticks for rate select RS3-RS0, or 0 when off (datasheet table 5). */
    private long periodicTicks() {
        int rate = cmos[REGISTER_A] & A_RATE_MASK;
        if (rate == 0) return 0;
        return rate <= 2 ? 1L << (rate + 6) : 1L << (rate - 1);
    }

    // ---- time keeping -----------------------------------------------------------------------

    /** Runs the update cycles and periodic taps that happened up to {@code tick}. */
    private void synchronise(long tick) {
        if (tick <= syncedTick) return;
        if (dividerRunning()) {
            long period = periodicTicks();
            long edges = period == 0 ? 0
                    : Math.floorDiv(tick - dividerOrigin, period) - Math.floorDiv(syncedTick - dividerOrigin, period);
            if (edges > 0) {
                if ((cmos[REGISTER_C] & C_PF) == 0) {
                    cmos[REGISTER_C] |= (byte) C_PF;
                    edges--;
                }
                if (compensating()) {
                    owedPeriodicInterrupts = (int) Math.min(CHAIN_HZ / period, owedPeriodicInterrupts + edges);
                }
            }
            while (nextUpdateEnd <= tick) {
                if (!updatesInhibited()) {
                    advanceOneSecond();
                    if (alarmMatches()) cmos[REGISTER_C] |= (byte) C_AF;
                    cmos[REGISTER_C] |= (byte) C_UF;
                }
                nextUpdateEnd += TICKS_PER_SECOND;
            }
        } else {
            nextUpdateEnd = Math.max(nextUpdateEnd, tick + 1);
        }
        syncedTick = tick;
        updateInterrupt();
    }

    private boolean binaryMode() {
        return (cmos[REGISTER_B] & B_BINARY) != 0;
    }

    private int decode(int raw) {
        return binaryMode() ? raw : (raw >>> 4) * 10 + (raw & 0x0F);
    }

    private int encode(int value) {
        return binaryMode() ? value : (value / 10) << 4 | value % 10;
    }

    private int field(int register) {
        return decode(cmos[register] & 0xFF);
    }

    private void setField(int register, int value) {
        cmos[register] = (byte) encode(value);
    }

    /** The chip's own carry chain, in the current data mode; out-of-range values carry like the real counters. */
    private void advanceOneSecond() {
        int seconds = field(SECONDS) + 1;
        if (seconds < 60) {
            setField(SECONDS, seconds);
            return;
        }
        setField(SECONDS, 0);
        int minutes = field(MINUTES) + 1;
        if (minutes < 60) {
            setField(MINUTES, minutes);
            return;
        }
        setField(MINUTES, 0);
        if (!advanceHour()) return;
        int weekday = field(DAY_OF_WEEK) + 1;
        setField(DAY_OF_WEEK, weekday > 7 ? 1 : weekday);
        int month = field(MONTH);
        int year = field(YEAR);
        int day = field(DAY_OF_MONTH) + 1;
        if (day <= daysInMonth(month, year)) {
            setField(DAY_OF_MONTH, day);
            return;
        }
        setField(DAY_OF_MONTH, 1);
        if (month + 1 <= 12) {
            setField(MONTH, month + 1);
            return;
        }
        setField(MONTH, 1);
        setField(YEAR, year + 1 > 99 ? 0 : year + 1);
    }

    /** Advances the hour; true when the day rolls over. */
    private boolean advanceHour() {
        int raw = cmos[HOURS] & 0xFF;
        if ((cmos[REGISTER_B] & B_24_HOUR) != 0) {
            int hours = decode(raw) + 1;
            if (hours < 24) {
                setField(HOURS, hours);
                return false;
            }
            setField(HOURS, 0);
            return true;
        }
        boolean pm = (raw & HOUR_PM) != 0;
        int hours = decode(raw & 0x7F);
        if (hours == 11) {
            cmos[HOURS] = (byte) (encode(12) | (pm ? 0 : HOUR_PM)); // 11:59:59 PM rolls to 12 AM
            return pm;
        }
        cmos[HOURS] = (byte) (encode(hours >= 12 ? 1 : hours + 1) | (pm ? HOUR_PM : 0));
        return false;
    }

    /** The MC146818 knows two-digit years only: every fourth year is a leap year. */
    private static int daysInMonth(int month, int year) {
        return switch (month) {
            case 2 -> year % 4 == 0 ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private boolean alarmMatches() {
        return alarmFieldMatches(SECONDS_ALARM, SECONDS) && alarmFieldMatches(MINUTES_ALARM, MINUTES)
                && alarmFieldMatches(HOURS_ALARM, HOURS);
    }

    private boolean alarmFieldMatches(int alarm, int register) {
        int value = cmos[alarm] & 0xFF;
        return (value & ALARM_DONT_CARE) == ALARM_DONT_CARE || value == (cmos[register] & 0xFF);
    }

    // ---- interrupts -------------------------------------------------------------------------------

    private void updateInterrupt() {
        int flags = cmos[REGISTER_C] & (C_PF | C_AF | C_UF);
        boolean irqf = (flags & cmos[REGISTER_B] & (B_PIE | B_AIE | B_UIE)) != 0;
        if (irqf) {
            cmos[REGISTER_C] |= (byte) C_IRQF;
        }
        irq8.setLevel((cmos[REGISTER_C] & C_IRQF) != 0);
    }

    /** Arms the timer for the next event that could raise IRQF; none while IRQF is already high. */
    private void reschedule(long tick) {
        long next = Long.MAX_VALUE;
        int enables = cmos[REGISTER_B];
        if (dividerRunning() && (cmos[REGISTER_C] & C_IRQF) == 0) {
            long period = periodicTicks();
            if ((enables & B_PIE) != 0 && period != 0) {
                next = dividerOrigin + (Math.floorDiv(tick - dividerOrigin, period) + 1) * period;
            }
            if ((enables & (B_AIE | B_UIE)) != 0 && !updatesInhibited()) {
                next = Math.min(next, nextUpdateEnd);
            }
        }
        if (next == Long.MAX_VALUE) {
            timer.cancel();
        } else {
            timer.scheduleAt(chain.nanosOfTick(next));
        }
    }

    private void timerExpired() {
        long tick = chain.ticksAt(events.now());
        synchronise(tick);
        reschedule(tick);
    }

    // ---- what the machine fills in -------------------------------------------------------------------

    /** Sets the clock registers to {@code time} in the current data mode. */
    public void setTime(LocalDateTime time) {
        setField(SECONDS, time.getSecond());
        setField(MINUTES, time.getMinute());
        if ((cmos[REGISTER_B] & B_24_HOUR) != 0) {
            setField(HOURS, time.getHour());
        } else {
            int hour12 = time.getHour() % 12 == 0 ? 12 : time.getHour() % 12;
            cmos[HOURS] = (byte) (encode(hour12) | (time.getHour() >= 12 ? HOUR_PM : 0));
        }
        setField(DAY_OF_WEEK, time.getDayOfWeek().getValue() % 7 + 1); // 1 = Sunday
        setField(DAY_OF_MONTH, time.getDayOfMonth());
        setField(MONTH, time.getMonthValue());
        setField(YEAR, time.getYear() % 100);
    }

    /** Century byte 0x32 (BCD), which the MC146818 itself never advances. */
    public void setCentury(int century) {
        cmos[CENTURY] = (byte) ((century / 10 % 10) << 4 | century % 10);
    }

    /**
     * Memory size fields: base memory (640 KiB), extended memory above 1 MiB in
     * KiB (0x17/0x18 and 0x30/0x31, capped at 0xFFFF), memory above 16 MiB
     * below the PCI hole in 64 KiB units (0x34/0x35) and memory above 4 GiB
     * in 64 KiB units (0x5B-0x5D).
     */
    public void setMemorySize(long belowFourGigBytes, long aboveFourGigBytes) {
        setWord(BASE_MEMORY_LOW, 640);
        long extendedKiB = Math.max(0, belowFourGigBytes - (1 << 20)) >> 10;
        setWord(EXTENDED_MEMORY_LOW, (int) Math.min(extendedKiB, 0xFFFF));
        setWord(ACTUAL_EXTENDED_MEMORY_LOW, (int) Math.min(extendedKiB, 0xFFFF));
        long above16M = Math.max(0, belowFourGigBytes - (16 << 20)) >> 16;
        setWord(MEMORY_ABOVE_16M_LOW, (int) Math.min(above16M, 0xFFFF));
        long above4G = aboveFourGigBytes >> 16;
        cmos[MEMORY_ABOVE_4G_LOW] = (byte) above4G;
        cmos[MEMORY_ABOVE_4G_MID] = (byte) (above4G >> 8);
        cmos[MEMORY_ABOVE_4G_HIGH] = (byte) (above4G >> 16);
        updateChecksum();
    }

    /** Boot order as SeaBIOS reads it: first and second device in 0x3D, third in 0x38 bits 7-4. */
    public void setBootOrder(BootDevice... order) {
        if (order.length > 3) {
            throw new IllegalArgumentException("the CMOS holds at most three boot devices, got " + order.length);
        }
        int[] codes = new int[3];
        for (int i = 0; i < order.length; i++) codes[i] = order[i].code;
        cmos[BOOT_FLAGS_2] = (byte) (codes[1] << 4 | codes[0]);
        cmos[BOOT_FLAGS_1] = (byte) (codes[2] << 4 | (cmos[BOOT_FLAGS_1] & 0x0F));
    }

    /** 0x38 bit 0: when set, SeaBIOS boots floppies without checking the 0x55AA signature. */
    public void setFloppySignatureCheck(boolean check) {
        int flags = cmos[BOOT_FLAGS_1] & ~BOOT_FLAGS_1_NO_FLOPPY_SIGNATURE_CHECK;
        cmos[BOOT_FLAGS_1] = (byte) (flags | (check ? 0 : BOOT_FLAGS_1_NO_FLOPPY_SIGNATURE_CHECK));
    }

    /**
     * Floppy drive types (0x10: none when 0) and the equipment byte 0x14:
     * bit 0 floppy present, bit 1 coprocessor, bits 5-4 display (00 = EGA/VGA), bits 7-6 floppy count - 1.
     */
    public void setEquipment(int floppyDrives, boolean coprocessor) {
        int equipment = coprocessor ? EQUIPMENT_COPROCESSOR : 0;
        if (floppyDrives > 0) {
            equipment |= EQUIPMENT_FLOPPY | (Math.min(floppyDrives, 4) - 1) << 6;
        } else {
            cmos[FLOPPY_TYPES] = 0;
        }
        cmos[EQUIPMENT] = (byte) equipment;
        updateChecksum();
    }

    public void setCpuCount(int cpus) {
        cmos[CPU_COUNT_MINUS_ONE] = (byte) (cpus - 1);
    }

    public int cmosByte(int address) {
        return cmos[address & 0x7F] & 0xFF;
    }

    /** For fields without a setter of their own (drive geometry); keeps the 0x10-0x2D checksum right. */
    public void setCmosByte(int address, int value) {
        cmos[address & 0x7F] = (byte) value;
        updateChecksum();
    }

    /** The standard checksum: sum of 0x10-0x2D, big-endian in 0x2E/0x2F. */
    private void updateChecksum() {
        int sum = 0;
        for (int i = CHECKSUM_FIRST; i <= CHECKSUM_LAST; i++) sum += cmos[i] & 0xFF;
        cmos[CHECKSUM_HIGH] = (byte) (sum >> 8);
        cmos[CHECKSUM_LOW] = (byte) sum;
    }

    private void setWord(int lowRegister, int value) {
        cmos[lowRegister] = (byte) value;
        cmos[lowRegister + 1] = (byte) (value >> 8);
    }

    // ---- snapshot -----------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        long tick = chain.ticksAt(events.now());
        synchronise(tick);
        out.writeInt(1);
        out.write(cmos);
        out.writeInt(index);
        out.writeBoolean(nmiMasked);
        out.writeLong(dividerOrigin);
        out.writeLong(nextUpdateEnd);
        out.writeLong(syncedTick);
        out.writeInt(owedPeriodicInterrupts);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("RTC: unsupported state version " + version);
        }
        in.readFully(cmos);
        index = in.readInt() & 0x7F;
        nmiMasked = in.readBoolean();
        dividerOrigin = in.readLong();
        nextUpdateEnd = in.readLong();
        syncedTick = in.readLong();
        owedPeriodicInterrupts = in.readInt();
        updateInterrupt();
        reschedule(syncedTick);
    }
}
