package org.vstation.devices.chipset;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import org.vstation.devices.bus.BusConflictException;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.pci.PciDevice;

/*
 * Intel 82371AB PIIX4 power management function (function 3, PCI 00:01.3), as QEMU's pc machine pairs it with the PIIX3.
 * Follows the Intel 82371AB PIIX4 datasheet (order 290562-001), 3.3 (configuration), 7.1-7.2 (PM and SMBus I/O).
 */

/**
 * ACPI hardware of the machine: the PM timer, PM1 status/enable/control with
 * the power button and soft-off, the APM control port through which firmware
 * and the OS switch ACPI mode on, and an SMBus host controller with nothing
 * attached. The SCI is wired to IRQ 9.
 *
 * <p>SMM is not emulated. Writing the ACPI enable/disable values to APMC
 * therefore does directly what the firmware's SMI handler would do (set or
 * clear SCI_EN), and DEVACTB reports APMC SMIs as already enabled so SeaBIOS
 * skips its SMM relocation, which would wait forever for an SMI handler.
 */
public final class Piix4PowerManagement extends PciDevice {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_82371AB_PM = 0x7113;
    public static final int REVISION = 0x03;
    public static final int CLASS_OTHER_BRIDGE = 0x06_80_00;
    public static final int PCI_FUNCTION = 3;

    // Configuration registers (datasheet 3.3).
    public static final int PMBA = 0x40;
    public static final int DEVACTA = 0x54;
    public static final int DEVACTB = 0x58;
    public static final int PMREGMISC = 0x80;
    public static final int SMBBA = 0x90;
    public static final int SMBHSTCFG = 0xD2;
    public static final int DEVACTB_APMC_EN = 1 << 25;
    /**
     * Decode enables of the legacy ISA devices, in the device resource registers: the firmware's
     * DSDT reads them to report LPT1 (bit 7 here) and COM1/COM2 (bits 3 and 7 of the next) present.
     */
    public static final int PARALLEL_DECODE = 0x5F;
    public static final int SERIAL_DECODE = 0x67;
    public static final int PARALLEL_DECODE_LPT = 0x80;
    public static final int SERIAL_DECODE_COM_A = 0x08;
    public static final int SERIAL_DECODE_COM_B = 0x80;
    public static final int PMREGMISC_PMIOSE = 0x01;
    public static final int SMBHSTCFG_SMB_HST_EN = 0x01;
    private static final int PM_IO_SIZE = 64;
    private static final int SMBUS_IO_SIZE = 16;

    // PM I/O registers, offsets from PMBA (datasheet 7.1).
    public static final int PMSTS = 0x00;
    public static final int PMEN = 0x02;
    public static final int PMCNTRL = 0x04;
    public static final int PMTMR = 0x08;
    public static final int GPSTS = 0x0C;
    public static final int GPEN = 0x0E;

    public static final int TMROF_STS = 1 << 0;
    public static final int BM_STS = 1 << 4;
    public static final int GBL_STS = 1 << 5;
    public static final int PWRBTN_STS = 1 << 8;
    public static final int RTC_STS = 1 << 10;
    public static final int PWRBTNOR_STS = 1 << 11;
    public static final int WAK_STS = 1 << 15;
    private static final int PMSTS_WRITE_ONE_TO_CLEAR =
            TMROF_STS | BM_STS | GBL_STS | PWRBTN_STS | RTC_STS | PWRBTNOR_STS | WAK_STS;
    public static final int TMROF_EN = 1 << 0;
    public static final int GBL_EN = 1 << 5;
    public static final int PWRBTN_EN = 1 << 8;
    public static final int RTC_EN = 1 << 10;
    private static final int PMEN_WRITABLE = TMROF_EN | GBL_EN | PWRBTN_EN | RTC_EN;
    public static final int SCI_EN = 1 << 0;
    public static final int BRLD_EN_BM = 1 << 1;
    public static final int SUS_TYP_SHIFT = 10;
    public static final int SUS_TYP_MASK = 0x7 << SUS_TYP_SHIFT;
    public static final int SUS_EN = 1 << 13;
    /** SUS_TYP 000: soft off (ACPI S5), the value of the firmware's \_S5 package. */
    public static final int SUS_TYP_SOFT_OFF = 0;

    /** The ACPI PM timer counts at 3.579545 MHz and is 24 bits wide (TMR_VAL_EXT = 0). */
    public static final long PM_TIMER_HZ = 3_579_545;
    private static final int PM_TIMER_MASK = 0xFF_FFFF;
    private static final int PM_TIMER_MSB = 1 << 23;

    // APM control/status ports (datasheet 7.1.1): fixed in the I/O space.
    public static final int APMC_PORT = 0xB2;
    public static final int APMS_PORT = 0xB3;
    /** The values SeaBIOS's FADT publishes as ACPI_ENABLE / ACPI_DISABLE for the SMI command port. */
    public static final int APMC_ACPI_ENABLE = 0xF1;
    public static final int APMC_ACPI_DISABLE = 0xF0;

    /**
     * The general-purpose event block SeaBIOS's own FADT declares (GPE0_BLK 0xAFE0, 4 bytes) when
     * it builds the ACPI tables itself: 2 status bytes, 2 enable bytes. No event sources are wired.
     */
    public static final int GPE0_BLOCK_PORT = 0xAFE0;

    // SMBus host registers, offsets from SMBBA (datasheet 7.2).
    public static final int SMBHSTSTS = 0x00;
    public static final int SMBHSTCNT = 0x02;
    public static final int SMBHSTSTS_DEV_ERR = 0x04;
    public static final int SMBHSTCNT_START = 0x40;
    private static final int SMBHSTSTS_WRITE_ONE_TO_CLEAR = 0x1E;

    private final IoPortBus ioBus;
    private final EventQueue events;
    private final InterruptLine sci;
    private final EventQueue.Timer timerOverflow;
    private final IoDevice pmIo = IoDevice.of("PIIX4 PM registers", this::readPmRegisters, this::writePmRegisters);
    private final IoDevice smbusIo = IoDevice.of("PIIX4 SMBus host", this::readSmbus, this::writeSmbus);
    private Runnable powerOff = () -> { };

    private int pmStatus;
    private int pmEnable;
    private int pmControl;
    /** GPSTS/GPEN and the rest of the PM block past PMTMR: plain storage, nothing drives them. */
    private final byte[] pmOtherRegisters = new byte[PM_IO_SIZE];
    /** The PM timer value when TMROF_STS was last brought up to date. */
    private long timerTicksSeen;
    private int apmControl;
    private int apmStatus;
    private int gpe0Status;
    private int gpe0Enable;
    private final byte[] smbusRegisters = new byte[SMBUS_IO_SIZE];
    private int legacyParallelDecode;
    private int legacySerialDecode;
    private int pmIoPlacedAt = -1;
    private int smbusPlacedAt = -1;

    public Piix4PowerManagement(IoPortBus ioBus, EventQueue events, InterruptLine sci) {
        super("PIIX4 power management", VENDOR_INTEL, DEVICE_82371AB_PM, REVISION, CLASS_OTHER_BRIDGE);
        this.ioBus = ioBus;
        this.events = events;
        this.sci = sci;
        this.timerOverflow = events.newTimer("ACPI PM timer overflow", this::timerMsbToggled);
        setSubsystem(I440fxHostBridge.QEMU_SUBSYSTEM_VENDOR, I440fxHostBridge.QEMU_SUBSYSTEM_ID);
        setInterruptPin(1);
        setWritable(PMBA, 4, 0x0000_FFC0);
        setWritable(DEVACTA, 4, 0xFFFF_FFFF);
        setWritable(DEVACTB, 4, 0xFFFF_FFFF);
        setWritable(PMREGMISC, 1, PMREGMISC_PMIOSE);
        setWritable(SMBBA, 4, 0x0000_FFF0);
        setWritable(SMBHSTCFG, 1, 0x0F);
        setWritable(PARALLEL_DECODE, 1, 0xFF);
        setWritable(SERIAL_DECODE, 1, 0xFF);
        reset();
    }

    /** Plugs the function in at 00:01.3 (after the PIIX3 at 00:01.0) and claims the fixed APM and GPE0 ports. */
    public void connect(PciBus pciBus) {
        pciBus.attach(Piix3IsaBridge.PCI_DEVICE_NUMBER, PCI_FUNCTION, this);
        ioBus.place(IoDevice.of("APM control/status", this::readApm, this::writeApm), APMC_PORT, 2);
        ioBus.place(IoDevice.of("ACPI GPE0 block", this::readGpe0, this::writeGpe0), GPE0_BLOCK_PORT, 4);
    }

    /** Called when the guest enters soft-off (S5): the VM powers down. */
    public void setPowerOffListener(Runnable listener) {
        powerOff = listener;
    }

    /** Which legacy ports the board has, as the firmware's ACPI tables will report them; kept across resets. */
    public void setLegacyDevicesPresent(boolean com1, boolean com2, boolean lpt1) {
        legacySerialDecode = (com1 ? SERIAL_DECODE_COM_A : 0) | (com2 ? SERIAL_DECODE_COM_B : 0);
        legacyParallelDecode = lpt1 ? PARALLEL_DECODE_LPT : 0;
        putConfig(SERIAL_DECODE, 1, legacySerialDecode);
        putConfig(PARALLEL_DECODE, 1, legacyParallelDecode);
    }

    /** The ACPI power button: a press sets PWRBTN_STS, which raises an SCI if the OS enabled it. */
    public void pressPowerButton() {
        pmStatus |= PWRBTN_STS;
        updateSci();
    }

    /** True once an ACPI OS (or the firmware for it) has switched to ACPI mode. */
    public boolean isAcpiEnabled() {
        return (pmControl & SCI_EN) != 0;
    }

    /** Power-on values: PM and SMBus I/O disabled, ACPI mode off, all events cleared. */
    public void reset() {
        putConfig(PMBA, 4, 0x0000_0001);
        putConfig(DEVACTA, 4, 0);
        putConfig(DEVACTB, 4, DEVACTB_APMC_EN);
        putConfig(PMREGMISC, 1, 0);
        putConfig(SMBBA, 4, 0x0000_0001);
        putConfig(SMBHSTCFG, 1, 0);
        putConfig(PARALLEL_DECODE, 1, legacyParallelDecode);
        putConfig(SERIAL_DECODE, 1, legacySerialDecode);
        putConfig(COMMAND, 2, 0);
        pmStatus = 0;
        pmEnable = 0;
        pmControl = 0;
        Arrays.fill(pmOtherRegisters, (byte) 0);
        Arrays.fill(smbusRegisters, (byte) 0);
        timerTicksSeen = timerTicks();
        apmControl = 0;
        apmStatus = 0;
        gpe0Status = 0;
        gpe0Enable = 0;
        updateIoPlacement();
        updateSci();
    }

    // ---- configuration space ---------------------------------------------------------------

    @Override
    protected void configWritten(int offset, int size) {
        updateIoPlacement();
    }

    /** PM I/O is decoded when PMIOSE is set; SMBus I/O when the function's I/O space is enabled (3.3.1). */
    private void updateIoPlacement() {
        int pmBase = (getConfig(PMREGMISC, 1) & PMREGMISC_PMIOSE) != 0 ? getConfig(PMBA, 4) & 0xFFC0 : -1;
        pmIoPlacedAt = move(pmIo, pmIoPlacedAt, pmBase, PM_IO_SIZE);
        int smbusBase = (getConfig(COMMAND, 2) & COMMAND_IO_SPACE) != 0 ? getConfig(SMBBA, 4) & 0xFFF0 : -1;
        smbusPlacedAt = move(smbusIo, smbusPlacedAt, smbusBase, SMBUS_IO_SIZE);
    }

    /** A base of 0 does not decode; a base over another device's ports stays unplaced, like a clashing BAR. */
    private int move(IoDevice device, int placedAt, int wantedBase, int size) {
        if (wantedBase == 0) {
            wantedBase = -1;
        }
        if (wantedBase == placedAt) {
            return placedAt;
        }
        if (placedAt >= 0) {
            ioBus.remove(device, placedAt, size);
        }
        if (wantedBase < 0) {
            return -1;
        }
        try {
            ioBus.place(device, wantedBase, size);
            return wantedBase;
        } catch (BusConflictException conflict) {
            return -1;
        }
    }

    // ---- PM timer ------------------------------------------------------------------------------

    /** Ticks of the 3.579545 MHz clock since power on, split so that the product never overflows. */
    private long timerTicks() {
        long nanos = events.now();
        return nanos / 1_000_000_000L * PM_TIMER_HZ + nanos % 1_000_000_000L * PM_TIMER_HZ / 1_000_000_000L;
    }

    /** TMROF_STS is set whenever bit 23 of the timer toggles (datasheet 7.1.2.1); brought up to date lazily. */
    private void catchUpTimerOverflow() {
        long now = timerTicks();
        if (now / PM_TIMER_MSB != timerTicksSeen / PM_TIMER_MSB) {
            pmStatus |= TMROF_STS;
        }
        timerTicksSeen = now;
    }

    private void timerMsbToggled() {
        catchUpTimerOverflow();
        updateSci();
    }

    /** A timer event is needed only to raise the SCI at the toggle; the status bit alone is computed on read. */
    private void scheduleTimerOverflow() {
        if ((pmEnable & TMROF_EN) == 0 || !isAcpiEnabled()) {
            timerOverflow.cancel();
            return;
        }
        long nextToggleTick = (timerTicksSeen / PM_TIMER_MSB + 1) * PM_TIMER_MSB;
        long nanos = nextToggleTick / PM_TIMER_HZ * 1_000_000_000L
                + (nextToggleTick % PM_TIMER_HZ * 1_000_000_000L + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
        timerOverflow.scheduleAt(nanos);
    }

    // ---- PM I/O registers ------------------------------------------------------------------------

    private int readPmRegisters(int offset, int size) {
        catchUpTimerOverflow();
        int timer = (int) (timerTicksSeen & PM_TIMER_MASK);
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= readPmByte(offset + i, timer) << (8 * i);
        }
        return value;
    }

    private int readPmByte(int offset, int timer) {
        return switch (offset) {
            case PMSTS, PMSTS + 1 -> byteOf(pmStatus, offset - PMSTS);
            case PMEN, PMEN + 1 -> byteOf(pmEnable, offset - PMEN);
            case PMCNTRL, PMCNTRL + 1 -> byteOf(pmControl, offset - PMCNTRL); // SUS_EN is write-only, never stored
            case PMTMR, PMTMR + 1, PMTMR + 2, PMTMR + 3 -> byteOf(timer, offset - PMTMR);
            default -> pmOtherRegisters[offset] & 0xFF;
        };
    }

    private void writePmRegisters(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            writePmByte(offset + i, (value >>> (8 * i)) & 0xFF);
        }
        updateSci();
    }

    private void writePmByte(int offset, int value) {
        switch (offset) {
            case PMSTS, PMSTS + 1 -> {
                catchUpTimerOverflow();
                pmStatus &= ~(value << (8 * (offset - PMSTS)) & PMSTS_WRITE_ONE_TO_CLEAR);
            }
            case PMEN, PMEN + 1 -> {
                pmEnable = withByte(pmEnable, offset - PMEN, value) & PMEN_WRITABLE;
                scheduleTimerOverflow();
            }
            case PMCNTRL -> {
                pmControl = withByte(pmControl, 0, value) & (SCI_EN | BRLD_EN_BM); // GBL_RLS (bit 2) only signals SMI
                scheduleTimerOverflow();
            }
            case PMCNTRL + 1 -> {
                pmControl = withByte(pmControl, 1, value) & (SCI_EN | BRLD_EN_BM | SUS_TYP_MASK);
                if ((value << 8 & SUS_EN) != 0) {
                    enterSleepState((pmControl & SUS_TYP_MASK) >>> SUS_TYP_SHIFT);
                }
            }
            case PMTMR, PMTMR + 1, PMTMR + 2, PMTMR + 3 -> { } // read-only
            case GPSTS, GPSTS + 1 -> pmOtherRegisters[offset] &= (byte) ~value;
            default -> pmOtherRegisters[offset] = (byte) value;
        }
    }

    /**
     * Soft-off powers the VM down. The suspend types (S1-S4) are not supported: the
     * firmware tables offer only \_S5 (see FwCfg's etc/system-states), and a guest that
     * tries anyway wakes at once, as if a wake event had arrived (WAK_STS).
     */
    private void enterSleepState(int suspendType) {
        if (suspendType == SUS_TYP_SOFT_OFF) {
            powerOff.run();
        } else {
            pmStatus |= WAK_STS;
        }
    }

    private void updateSci() {
        int pending = pmStatus & pmEnable & (TMROF_STS | GBL_STS | PWRBTN_STS | RTC_STS);
        int gpePending = (readPmByte(GPSTS, 0) & readPmByte(GPEN, 0))
                | (readPmByte(GPSTS + 1, 0) & readPmByte(GPEN + 1, 0))
                | (gpe0Status & gpe0Enable);
        sci.setLevel(isAcpiEnabled() && (pending != 0 || gpePending != 0));
    }

    // ---- APM control, GPE0 block --------------------------------------------------------------------

    private int readApm(int offset, int size) {
        int value = apmControl | apmStatus << 8;
        return size == 1 ? byteOf(value, offset) : value;
    }

    private void writeApm(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int b = (value >>> (8 * i)) & 0xFF;
            if (offset + i == 0) {
                apmControl = b;
                if ((getConfig(DEVACTB, 4) & DEVACTB_APMC_EN) != 0) {
                    apmcSmi(b);
                }
            } else {
                apmStatus = b; // APMS is a scratch register between the OS and the SMI handler
            }
        }
    }

    /** What the firmware's SMI handler does for the ACPI enable/disable commands of its FADT. */
    private void apmcSmi(int command) {
        if (command == APMC_ACPI_ENABLE) {
            pmControl |= SCI_EN;
        } else if (command == APMC_ACPI_DISABLE) {
            pmControl &= ~SCI_EN;
        }
        scheduleTimerOverflow();
        updateSci();
    }

    private int readGpe0(int offset, int size) {
        int value = gpe0Status | gpe0Enable << 16;
        return (int) (Integer.toUnsignedLong(value) >>> (8 * offset)) & (size == 4 ? -1 : (1 << (8 * size)) - 1);
    }

    private void writeGpe0(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int b = (value >>> (8 * i)) & 0xFF;
            if (at < 2) {
                gpe0Status &= ~(b << (8 * at));
            } else {
                gpe0Enable = withByte(gpe0Enable, at - 2, b);
            }
        }
        updateSci();
    }

    // ---- SMBus host: present, with no devices on the bus ----------------------------------------

    private int readSmbus(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= (smbusRegisters[offset + i] & 0xFF) << (8 * i);
        }
        return value;
    }

    private void writeSmbus(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int b = (value >>> (8 * i)) & 0xFF;
            if (at == SMBHSTSTS) {
                smbusRegisters[at] &= (byte) ~(b & SMBHSTSTS_WRITE_ONE_TO_CLEAR);
            } else if (at == SMBHSTCNT) {
                smbusRegisters[at] = (byte) (b & ~SMBHSTCNT_START);
                if ((b & SMBHSTCNT_START) != 0) {
                    smbusRegisters[SMBHSTSTS] |= SMBHSTSTS_DEV_ERR; // no slave acknowledges its address
                }
            } else {
                smbusRegisters[at] = (byte) b;
            }
        }
    }

    private static int byteOf(int value, int index) {
        return (value >>> (8 * index)) & 0xFF;
    }

    private static int withByte(int value, int index, int b) {
        return (value & ~(0xFF << (8 * index))) | (b & 0xFF) << (8 * index);
    }

    // ---- snapshots ------------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        out.writeInt(1);
        catchUpTimerOverflow();
        out.writeInt(pmStatus);
        out.writeInt(pmEnable);
        out.writeInt(pmControl);
        out.write(pmOtherRegisters);
        out.writeLong(timerTicksSeen);
        out.writeInt(apmControl);
        out.writeInt(apmStatus);
        out.writeInt(gpe0Status);
        out.writeInt(gpe0Enable);
        out.write(smbusRegisters);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name() + ": unsupported state version " + version);
        }
        pmStatus = in.readInt();
        pmEnable = in.readInt();
        pmControl = in.readInt();
        in.readFully(pmOtherRegisters);
        timerTicksSeen = in.readLong();
        apmControl = in.readInt();
        apmStatus = in.readInt();
        gpe0Status = in.readInt();
        gpe0Enable = in.readInt();
        in.readFully(smbusRegisters);
        updateIoPlacement();
        scheduleTimerOverflow();
        updateSci();
    }
}
