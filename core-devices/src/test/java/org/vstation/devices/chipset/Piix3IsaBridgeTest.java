package org.vstation.devices.chipset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.pci.PciDevice;

class Piix3IsaBridgeTest {
    private final IoPortBus io = new IoPortBus();
    private final PciBus pci = new PciBus(io, new PhysicalMemory(1024 * 1024));
    private final PciConfigPorts config = new PciConfigPorts(io);
    private final boolean[] irqLevel = new boolean[16];
    private final int[] elcr = {-1};
    private final List<String> events = new ArrayList<>();
    private Piix3IsaBridge piix3;

    /** A PCI card in slot 2 whose INTA# the test drives. */
    private static final class TestCard extends PciDevice {
        TestCard() {
            super("test card", 0x1234, 0x5678, 0, 0x02_00_00);
            setInterruptPin(1);
        }

        void interrupt(boolean asserted) {
            setInterruptLevel(asserted);
        }
    }

    private final TestCard card = new TestCard();

    @BeforeEach
    void setUp() {
        piix3 = new Piix3IsaBridge(irq -> high -> irqLevel[irq] = high, mask -> elcr[0] = mask);
        piix3.connect(pci, io);
        piix3.setA20GateListener(enabled -> events.add("A20 " + enabled));
        piix3.setCpuInitListener(() -> events.add("INIT"));
        piix3.setSystemResetListener(() -> events.add("RESET"));
        pci.attach(2, 0, card);
    }

    @Test
    void identifiesAsPiix3IsaBridge() {
        assertEquals(0x7000_8086, config.read(1, 0, 0x00, 4));
        assertEquals(0x0601, config.read(1, 0, 0x0A, 2));
        assertEquals(0x80808080, config.read(1, 0, Piix3IsaBridge.PIRQRC_A, 4), "routing disabled at reset");
    }

    @Test
    void pirqRoutingRaisesTheProgrammedIsaLine() {
        // Slot 2, INTA# -> PIRQ B (slot - 1 + pin, as SeaBIOS's _PRT has it); route B to 11, the rest to 10.
        config.write(1, 0, 0x60, 4, 0x0A0A_0B0A);
        card.interrupt(true);
        assertTrue(irqLevel[11]);
        assertFalse(irqLevel[10]);
        card.interrupt(false);
        assertFalse(irqLevel[11]);
    }

    @Test
    void reroutingMovesAnAssertedInterrupt() {
        config.write(1, 0, 0x61, 1, 0x05);
        card.interrupt(true);
        assertTrue(irqLevel[5]);
        config.write(1, 0, 0x61, 1, 0x09);
        assertFalse(irqLevel[5]);
        assertTrue(irqLevel[9]);
        config.write(1, 0, 0x61, 1, 0x89); // routing disabled
        assertFalse(irqLevel[9]);
    }

    @Test
    void reservedIrqNumbersDoNotRoute() {
        config.write(1, 0, 0x62, 1, 0x02);
        card.interrupt(true);
        for (int irq = 0; irq < 16; irq++) {
            assertFalse(irqLevel[irq], "IRQ " + irq);
        }
    }

    @Test
    void sharedIsaIrqStaysHighWhileAnyPirqIsAsserted() {
        config.write(1, 0, 0x60, 4, 0x0B0B_0B0B);
        piix3.setPirqLevel(0, true);
        piix3.setPirqLevel(1, true);
        piix3.setPirqLevel(0, false);
        assertTrue(irqLevel[11]);
        piix3.setPirqLevel(1, false);
        assertFalse(irqLevel[11]);
    }

    @Test
    void elcrProgramsTriggerModesAndKeepsReservedBitsClear() {
        io.write(0x4D0, 1, 0xFF);
        io.write(0x4D1, 1, 0xFF);
        assertEquals(0xF8, io.read(0x4D0, 1));
        assertEquals(0xDE, io.read(0x4D1, 1));
        assertEquals(0xDEF8, elcr[0]);
        io.write(0x4D0, 2, 0x0C00); // SeaBIOS: IRQ 10 and 11 level triggered
        assertEquals(0x0C00, elcr[0]);
        assertEquals(0x0C00, io.read(0x4D0, 2));
    }

    @Test
    void port92GatesA20AndPulsesInitOnRisingEdge() {
        io.write(0x92, 1, 0x02);
        assertEquals(0x02, io.read(0x92, 1));
        assertTrue(piix3.isA20GateEnabled());
        io.write(0x92, 1, 0x03);
        io.write(0x92, 1, 0x03);
        assertEquals(List.of("A20 true", "INIT"), events, "a held bit is not a new edge");
        io.write(0x92, 1, 0x00);
        assertEquals(List.of("A20 true", "INIT", "A20 false"), events);
    }

    @Test
    void resetControlDistinguishesHardAndSoftReset() {
        io.write(0xCF9, 1, 0x02); // SRST alone does nothing
        assertEquals(List.of(), events);
        io.write(0xCF9, 1, 0x06); // then RCPU: hard reset, as SeaBIOS's qemu_reboot does
        assertEquals(List.of("RESET"), events);
        io.write(0xCF9, 1, 0x04);
        assertEquals(List.of("RESET", "INIT"), events);
    }

    @Test
    void byteAccessToCf9DoesNotDisturbConfigAddress() {
        config.read(1, 0, 0, 4);
        int address = io.read(0xCF8, 4);
        io.write(0xCF9, 1, 0x00);
        assertEquals(address, io.read(0xCF8, 4));
        assertEquals(0xFF, io.read(0xCFA, 1));
    }

    @Test
    void snapshotRestoresRoutingElcrAndPort92() throws IOException {
        config.write(1, 0, 0x60, 4, 0x0B0B_0A0A);
        io.write(0x4D0, 2, 0x0C00);
        io.write(0x92, 1, 0x02);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        piix3.saveState(new DataOutputStream(saved));

        piix3.reset();
        assertEquals(0, elcr[0]);
        piix3.restoreState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        assertEquals(0x0C00, elcr[0], "the PIC's trigger modes are reprogrammed");
        assertEquals(0x0B0B_0A0A, config.read(1, 0, 0x60, 4));
        assertEquals(0x0C00, io.read(0x4D0, 2));
        assertEquals(0x02, io.read(0x92, 1));
        card.interrupt(true);
        assertTrue(irqLevel[10], "slot 2's INTA# is PIRQ B, routed to 10");
    }
}
