package org.vstation.devices.irq;

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
import org.vstation.devices.bus.IoPortBus;

/** Drives the 8259A pair through its ports as a BIOS or kernel would. */
class DualPicTest {
    private final DualPic pic = new DualPic();
    private final IoPortBus io = new IoPortBus();
    private boolean intr;

    @BeforeEach
    void initialiseLikeABios() {
        io.place(pic.master(), DualPic.MASTER_PORT, DualPic.PORT_COUNT);
        io.place(pic.slave(), DualPic.SLAVE_PORT, DualPic.PORT_COUNT);
        pic.connectCpu(level -> intr = level);
        initialise(0x01);
    }

    private void initialise(int icw4) {
        io.write(0x20, 1, 0x11); // ICW1: edge, cascade, ICW4 needed
        io.write(0x21, 1, 0x08); // ICW2: vectors 0x08-0x0F
        io.write(0x21, 1, 0x04); // ICW3: slave on IR2
        io.write(0x21, 1, icw4);
        io.write(0xA0, 1, 0x11);
        io.write(0xA1, 1, 0x70);
        io.write(0xA1, 1, 0x02); // ICW3: slave id 2
        io.write(0xA1, 1, icw4);
    }

    private void eoiMaster() {
        io.write(0x20, 1, 0x20);
    }

    private void eoiSlave() {
        io.write(0xA0, 1, 0x20);
    }

    @Test
    void edgeRequestIsDeliveredAndLowerPrioritiesWaitForEoi() {
        pic.line(0).pulse();
        assertTrue(intr);
        assertEquals(0x08, pic.acknowledgeInterrupt());
        assertFalse(intr);
        assertEquals(0x01, pic.master().isr());

        pic.line(1).pulse();
        assertFalse(intr, "IRQ 1 must wait while IRQ 0 is in service");
        eoiMaster();
        assertTrue(intr);
        assertEquals(0x09, pic.acknowledgeInterrupt());
    }

    @Test
    void higherPriorityNestsOverLowerInService() {
        pic.line(5).pulse();
        pic.line(3).pulse();
        assertEquals(0x0B, pic.acknowledgeInterrupt(), "IR3 outranks IR5");
        pic.line(1).pulse();
        assertTrue(intr, "IR1 outranks IR3 in service");
        assertEquals(0x09, pic.acknowledgeInterrupt());
        assertEquals(0b1010, pic.master().isr());
        eoiMaster(); // non-specific EOI clears the highest in service: IR1
        assertEquals(0b1000, pic.master().isr());
        eoiMaster();
        assertEquals(0x0D, pic.acknowledgeInterrupt());
    }

    @Test
    void maskedRequestWaitsInIrrUntilUnmasked() {
        io.write(0x21, 1, 0x10);
        pic.line(4).pulse();
        assertFalse(intr);
        assertEquals(0x10, io.read(0x20, 1), "IRR is read by default");
        assertEquals(0x10, io.read(0x21, 1), "IMR reads back");
        io.write(0x21, 1, 0x00);
        assertTrue(intr);
        assertEquals(0x0C, pic.acknowledgeInterrupt());
    }

    @Test
    void slaveRequestCascadesThroughMasterIr2() {
        pic.line(8).pulse();
        assertTrue(intr);
        assertEquals(0x70, pic.acknowledgeInterrupt());
        assertEquals(0x04, pic.master().isr());
        assertEquals(0x01, pic.slave().isr());

        pic.line(12).pulse();
        assertFalse(intr, "IRQ 12 waits behind IRQ 8 in service on the slave");
        eoiSlave();
        assertFalse(intr, "and behind IR2 in service on the master");
        eoiMaster();
        assertTrue(intr);
        assertEquals(0x74, pic.acknowledgeInterrupt());
    }

    @Test
    void irq2LineIsWiredToIrq9() {
        pic.line(2).pulse();
        assertEquals(0x71, pic.acknowledgeInterrupt());
    }

    @Test
    void acknowledgeWithNothingPendingIsSpuriousIrq7() {
        assertEquals(0x0F, pic.acknowledgeInterrupt());
        assertEquals(0, pic.master().isr(), "a spurious IRQ 7 sets no ISR bit");
    }

    @Test
    void withdrawnSlaveRequestIsSpuriousIrq15WithIr2InService() {
        pic.setLevelTriggered(10, true);
        pic.line(10).raise();
        assertTrue(intr);
        pic.line(10).lower();
        // The slave's INT fell, but the master latched the edge on IR2.
        assertTrue(intr);
        assertEquals(0x77, pic.acknowledgeInterrupt());
        assertEquals(0x04, pic.master().isr());
        assertEquals(0, pic.slave().isr());
    }

    @Test
    void levelTriggeredInputRequestsAgainAfterEoiWhileHigh() {
        pic.setLevelTriggered(11, true);
        assertEquals(0x0800, pic.elcr());
        pic.line(11).raise();
        assertEquals(0x73, pic.acknowledgeInterrupt());
        eoiSlave();
        eoiMaster();
        assertTrue(intr, "the line is still high");
        assertEquals(0x73, pic.acknowledgeInterrupt());
        pic.line(11).lower(); // the handler serviced the device before its EOIs
        eoiSlave();
        eoiMaster();
        assertFalse(intr);
    }

    @Test
    void edgeInputLatchesOnlyRisingEdges() {
        pic.line(3).raise();
        assertEquals(0x0B, pic.acknowledgeInterrupt());
        eoiMaster();
        assertFalse(intr, "a line held high is one edge, one interrupt");
        pic.line(3).lower();
        pic.line(3).raise();
        assertTrue(intr);
    }

    @Test
    void elcrReservedBitsStayEdge() {
        pic.setElcr(0xFFFF);
        assertEquals(0xDEF8, pic.elcr());
        assertFalse(pic.isLevelTriggered(0));
        assertFalse(pic.isLevelTriggered(13));
        assertTrue(pic.isLevelTriggered(9));
    }

    @Test
    void isrIsReadAfterOcw3ReadIsr() {
        pic.line(6).pulse();
        pic.acknowledgeInterrupt();
        io.write(0x20, 1, 0x0B); // OCW3: read ISR
        assertEquals(0x40, io.read(0x20, 1));
        io.write(0x20, 1, 0x0A); // OCW3: read IRR
        assertEquals(0x00, io.read(0x20, 1));
    }

    @Test
    void specificEoiClearsTheNamedLevel() {
        pic.line(5).pulse();
        pic.acknowledgeInterrupt();
        pic.line(1).pulse();
        pic.acknowledgeInterrupt();
        io.write(0x20, 1, 0x65); // specific EOI, level 5
        assertEquals(0x02, pic.master().isr());
    }

    @Test
    void autoEoiLeavesNothingInService() {
        initialise(0x03);
        pic.line(4).pulse();
        assertEquals(0x0C, pic.acknowledgeInterrupt());
        assertEquals(0, pic.master().isr());
        pic.line(6).pulse();
        assertTrue(intr, "no EOI needed");
    }

    @Test
    void rotateOnNonSpecificEoiMakesTheServicedLevelLowest() {
        pic.line(0).pulse();
        assertEquals(0x08, pic.acknowledgeInterrupt());
        io.write(0x20, 1, 0xA0); // rotate on non-specific EOI
        pic.line(0).pulse();
        pic.line(1).pulse();
        assertEquals(0x09, pic.acknowledgeInterrupt(), "IR0 is now the lowest priority");
    }

    @Test
    void setPriorityCommandChoosesTheLowestLevel() {
        io.write(0x20, 1, 0xC4); // IR4 lowest, so IR5 highest
        pic.line(3).pulse();
        pic.line(6).pulse();
        assertEquals(0x0E, pic.acknowledgeInterrupt());
    }

    @Test
    void rotateInAutoEoiModeRotatesOnEachAcknowledge() {
        initialise(0x03);
        io.write(0x20, 1, 0x80); // rotate in automatic EOI mode (set)
        pic.line(3).pulse();
        assertEquals(0x0B, pic.acknowledgeInterrupt());
        pic.line(1).pulse();
        pic.line(4).pulse();
        assertEquals(0x0C, pic.acknowledgeInterrupt(), "IR3 is lowest now, so IR4 comes first");
    }

    @Test
    void specialMaskModeLetsLowerLevelsInWhileTheCurrentOneIsMasked() {
        pic.line(3).pulse();
        assertEquals(0x0B, pic.acknowledgeInterrupt());
        pic.line(5).pulse();
        assertFalse(intr);
        io.write(0x21, 1, 0x08);  // mask IR3 (the one in service)
        io.write(0x20, 1, 0x68);  // OCW3: set special mask mode
        assertTrue(intr, "IR5 gets through under special mask");
        assertEquals(0x0D, pic.acknowledgeInterrupt());
        io.write(0x20, 1, 0x48);  // OCW3: reset special mask mode
        io.write(0x20, 1, 0x65);  // specific EOI for IR5
        pic.line(6).pulse();
        assertFalse(intr, "IR3 is in service and blocks again");
    }

    @Test
    void pollModeReturnsTheHighestRequestAndAcknowledgesIt() {
        io.write(0x21, 1, 0xFF); // polled systems run with INT masked
        pic.line(5).pulse();
        io.write(0x20, 1, 0x0C); // OCW3: poll
        assertEquals(0x00, io.read(0x20, 1), "masked requests are not polled");
        io.write(0x21, 1, 0x00);
        io.write(0x20, 1, 0x0C);
        assertEquals(0x85, io.read(0x20, 1));
        assertEquals(0x20, pic.master().isr());
        io.write(0x20, 1, 0x0C);
        assertEquals(0x00, io.read(0x20, 1), "nothing else pending");
    }

    @Test
    void icw1ResetsMaskAndNeedsAFreshEdge() {
        io.write(0x21, 1, 0xFF);
        pic.line(7).raise();
        initialise(0x01);
        assertEquals(0, io.read(0x21, 1));
        assertFalse(intr);
        pic.line(7).lower();
        pic.line(7).raise();
        assertEquals(0x0F, pic.acknowledgeInterrupt());
        assertEquals(0x80, pic.master().isr(), "a real IR7, unlike a spurious one, is in service");
    }

    @Test
    void stateSurvivesSnapshot() throws IOException {
        io.write(0x21, 1, 0x20);
        pic.line(3).pulse();
        pic.acknowledgeInterrupt();
        pic.line(9).pulse();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        pic.saveState(new DataOutputStream(bytes));

        DualPic copy = new DualPic();
        boolean[] copyIntr = {false};
        copy.connectCpu(level -> copyIntr[0] = level);
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertTrue(copyIntr[0]);
        assertEquals(0x20, copy.master().imr());
        assertEquals(0x71, copy.acknowledgeInterrupt());
    }
}
