package org.vstation.devices.chipset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.pci.PciBus;

class Piix4PowerManagementTest {
    private static final int PM_BASE = 0xB000;
    private static final int SMBUS_BASE = 0xB100;

    private final IoPortBus io = new IoPortBus();
    private final PciBus pci = new PciBus(io, new PhysicalMemory(1024 * 1024));
    private final PciConfigPorts config = new PciConfigPorts(io);
    private final long[] nanos = {0};
    private final EventQueue events = new EventQueue(() -> nanos[0]);
    private final boolean[] sci = {false};
    private final int[] powerOffs = {0};
    private Piix4PowerManagement pm;

    @BeforeEach
    void setUp() {
        Piix3IsaBridge piix3 = new Piix3IsaBridge(irq -> high -> { }, mask -> { });
        piix3.connect(pci, io);
        pm = new Piix4PowerManagement(io, events, high -> sci[0] = high);
        pm.connect(pci);
        pm.setPowerOffListener(() -> powerOffs[0]++);
    }

    /** What SeaBIOS's piix4_pm_setup and pci_bios_init_device do. */
    private void programAsSeaBios() {
        config.write(1, 3, 0x3C, 1, 9);
        config.write(1, 3, Piix4PowerManagement.PMBA, 4, PM_BASE | 1);
        config.write(1, 3, Piix4PowerManagement.PMREGMISC, 1, 0x01);
        config.write(1, 3, Piix4PowerManagement.SMBBA, 4, SMBUS_BASE | 1);
        config.write(1, 3, Piix4PowerManagement.SMBHSTCFG, 1, 0x09);
        config.write(1, 3, 0x04, 2, 0x0003);
    }

    private void advance(long deltaNanos) {
        nanos[0] += deltaNanos;
        events.runDue();
    }

    @Test
    void identifiesAsPiix4PowerManagementFunction() {
        assertEquals(0x7113_8086, config.read(1, 3, 0x00, 4));
        assertEquals(0x0680, config.read(1, 3, 0x0A, 2));
        assertEquals(1, config.read(1, 3, 0x3D, 1), "INTA#");
        assertEquals(0x80, config.read(1, 0, 0x0E, 1) & 0x80, "the PIIX3 became multi-function");
        assertEquals(0x0000_0001, config.read(1, 3, Piix4PowerManagement.PMBA, 4), "I/O space indicator");
        assertTrue((config.read(1, 3, Piix4PowerManagement.DEVACTB, 4) & Piix4PowerManagement.DEVACTB_APMC_EN) != 0,
                "APMC SMIs reported as already set up, so SeaBIOS skips SMM relocation");
    }

    @Test
    void legacyDeviceDecodeBitsTellTheFirmwareWhichPortsExist() {
        assertEquals(0, config.read(1, 3, Piix4PowerManagement.SERIAL_DECODE, 1));
        pm.setLegacyDevicesPresent(true, false, false);
        pm.reset();
        assertEquals(Piix4PowerManagement.SERIAL_DECODE_COM_A, config.read(1, 3, Piix4PowerManagement.SERIAL_DECODE, 1));
        assertEquals(0, config.read(1, 3, Piix4PowerManagement.PARALLEL_DECODE, 1) & Piix4PowerManagement.PARALLEL_DECODE_LPT);
    }

    @Test
    void pmRegistersDecodeOnlyWhenEnabled() {
        config.write(1, 3, Piix4PowerManagement.PMBA, 4, PM_BASE | 1);
        assertEquals(0xFFFF, io.read(PM_BASE + 2, 2), "PMIOSE still clear");
        config.write(1, 3, Piix4PowerManagement.PMREGMISC, 1, 0x01);
        assertEquals(0x0000, io.read(PM_BASE + 2, 2));
        config.write(1, 3, Piix4PowerManagement.PMBA, 4, 0x6001);
        assertEquals(0xFFFF, io.read(PM_BASE + 2, 2), "moved away");
        assertEquals(0x0000, io.read(0x6002, 2));
    }

    @Test
    void pmTimerCountsAt3579545HzFromTheVirtualClock() {
        programAsSeaBios();
        nanos[0] = 1_000_000;
        int start = io.read(PM_BASE + 8, 4);
        advance(1_000_000_000L);
        int end = io.read(PM_BASE + 8, 4);
        assertEquals(3_579_545, (end - start) & 0xFF_FFFF);
        assertEquals(0, end >>> 24, "24-bit timer: upper byte reads zero");
    }

    @Test
    void pmTimerWrapsAt24BitsAndKeepsCountingAfterHours() {
        programAsSeaBios();
        nanos[0] = 3 * 3600 * 1_000_000_000L; // the tick computation must not overflow
        long expected = 3L * 3600 * 3_579_545;
        assertEquals(expected & 0xFF_FFFF, io.read(PM_BASE + 8, 4));
    }

    @Test
    void timerOverflowSetsStatusAndRaisesSciWhenEnabled() {
        programAsSeaBios();
        io.write(Piix4PowerManagement.APMC_PORT, 1, Piix4PowerManagement.APMC_ACPI_ENABLE);
        io.write(PM_BASE + Piix4PowerManagement.PMEN, 2, Piix4PowerManagement.TMROF_EN);
        long toggleNanos = (1L << 23) * 1_000_000_000L / 3_579_545;
        advance(toggleNanos - 1_000_000);
        assertFalse(sci[0]);
        assertEquals(0, io.read(PM_BASE, 2) & Piix4PowerManagement.TMROF_STS);
        advance(2_000_000);
        assertTrue(sci[0], "the MSB toggled after 2^23 ticks");
        assertEquals(Piix4PowerManagement.TMROF_STS, io.read(PM_BASE, 2) & Piix4PowerManagement.TMROF_STS);
        io.write(PM_BASE, 2, Piix4PowerManagement.TMROF_STS);
        assertFalse(sci[0]);
        assertEquals(0, io.read(PM_BASE, 2) & Piix4PowerManagement.TMROF_STS);
    }

    @Test
    void acpiEnableThroughApmcSetsSciEn() {
        programAsSeaBios();
        assertFalse(pm.isAcpiEnabled());
        io.write(Piix4PowerManagement.APMC_PORT, 1, 0xF1);
        assertEquals(Piix4PowerManagement.SCI_EN, io.read(PM_BASE + 4, 2) & Piix4PowerManagement.SCI_EN);
        assertEquals(0xF1, io.read(Piix4PowerManagement.APMC_PORT, 1));
        io.write(Piix4PowerManagement.APMC_PORT, 1, 0xF0);
        assertFalse(pm.isAcpiEnabled());
        io.write(Piix4PowerManagement.APMS_PORT, 1, 0x5A);
        assertEquals(0x5A, io.read(Piix4PowerManagement.APMS_PORT, 1));
    }

    @Test
    void powerButtonRaisesSciOnlyInAcpiModeWithTheEventEnabled() {
        programAsSeaBios();
        pm.pressPowerButton();
        assertFalse(sci[0], "legacy mode");
        io.write(PM_BASE, 2, 0xFFFF); // the OS clears stale status before enabling
        io.write(Piix4PowerManagement.APMC_PORT, 1, 0xF1);
        io.write(PM_BASE + 2, 2, Piix4PowerManagement.PWRBTN_EN);
        pm.pressPowerButton();
        assertTrue(sci[0]);
        assertEquals(Piix4PowerManagement.PWRBTN_STS, io.read(PM_BASE, 2) & Piix4PowerManagement.PWRBTN_STS);
        io.write(PM_BASE, 2, Piix4PowerManagement.PWRBTN_STS);
        assertFalse(sci[0]);
    }

    @Test
    void sleepTypeZeroWithSleepEnablePowersOff() {
        programAsSeaBios();
        io.write(Piix4PowerManagement.APMC_PORT, 1, 0xF1);
        io.write(PM_BASE + 4, 2, 0x0001); // SCI_EN, SLP_TYP 0, SLP_EN clear: not yet
        assertEquals(0, powerOffs[0]);
        io.write(PM_BASE + 4, 2, 0x2001); // Linux's acpi_enter_sleep_state(S5)
        assertEquals(1, powerOffs[0]);
        assertEquals(0, io.read(PM_BASE + 4, 2) & Piix4PowerManagement.SUS_EN, "SLP_EN is write-only");
    }

    @Test
    void unsupportedSleepTypesWakeAtOnce() {
        programAsSeaBios();
        io.write(PM_BASE + 4, 2, 0x2001 | 1 << 10); // SUS_TYP 1 (suspend to RAM)
        assertEquals(0, powerOffs[0]);
        assertEquals(Piix4PowerManagement.WAK_STS, io.read(PM_BASE, 2) & Piix4PowerManagement.WAK_STS);
    }

    @Test
    void smbusHostIsPresentButNoDeviceAnswers() {
        programAsSeaBios();
        assertEquals(0x00, io.read(SMBUS_BASE, 1), "host idle");
        io.write(SMBUS_BASE + 4, 1, 0xA1); // read from slave 0x50 (an SPD EEPROM on real boards)
        io.write(SMBUS_BASE + 2, 1, 0x48); // START, byte-data protocol
        assertEquals(Piix4PowerManagement.SMBHSTSTS_DEV_ERR, io.read(SMBUS_BASE, 1));
        io.write(SMBUS_BASE, 1, 0x1E);
        assertEquals(0x00, io.read(SMBUS_BASE, 1));
    }

    @Test
    void gpe0BlockWhereTheFirmwareFadtPutsItHoldsEnableBits() {
        io.write(Piix4PowerManagement.GPE0_BLOCK_PORT, 2, 0xFFFF); // clear status
        io.write(Piix4PowerManagement.GPE0_BLOCK_PORT + 2, 2, 0x0002);
        assertEquals(0x0002_0000, io.read(Piix4PowerManagement.GPE0_BLOCK_PORT, 4));
    }

    @Test
    void snapshotRestoresRegistersAndPlacement() throws IOException {
        programAsSeaBios();
        io.write(Piix4PowerManagement.APMC_PORT, 1, 0xF1);
        io.write(PM_BASE + 2, 2, Piix4PowerManagement.PWRBTN_EN);
        pm.pressPowerButton();
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        pm.saveState(new DataOutputStream(saved));

        pm.reset();
        assertFalse(sci[0]);
        assertEquals(0xFFFF, io.read(PM_BASE, 2), "reset unplaces the PM block");

        pm.restoreState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        assertTrue(sci[0], "the pending power button event is back");
        assertEquals(Piix4PowerManagement.PWRBTN_STS, io.read(PM_BASE, 2) & Piix4PowerManagement.PWRBTN_STS);
        assertTrue(pm.isAcpiEnabled());
    }
}
