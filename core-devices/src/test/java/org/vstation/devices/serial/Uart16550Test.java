package org.vstation.devices.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.devices.serial.Uart16550.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.vstation.devices.clock.EventQueue;

/** Drives the UART through its registers the way a guest driver does. */
class Uart16550Test {
    private long now;
    private final EventQueue events = new EventQueue(() -> now);
    private final StringBuilder transmitted = new StringBuilder();
    private boolean irq;
    private final Uart16550 uart = new Uart16550("COM1", level -> irq = level, events,
            b -> transmitted.append((char) b));

    private int in(int register) {
        return uart.ioRead(register, 1);
    }

    private void out(int register, int value) {
        uart.ioWrite(register, 1, value);
    }

    @Test
    void divisorLatchIsReachedThroughDlab() {
        out(LCR, LCR_DLAB | 0x03);
        out(RBR_THR_DLL, 0x01);
        out(IER_DLM, 0x00);
        assertEquals(0x01, in(RBR_THR_DLL));
        assertEquals(0x00, in(IER_DLM));
        out(LCR, 0x03);
        out(IER_DLM, 0x05);
        assertEquals(0x05, in(IER_DLM), "IER is visible again once DLAB is clear");
        out(LCR, LCR_DLAB | 0x03);
        assertEquals(0x01, in(RBR_THR_DLL), "the latch kept its value");
        assertTrue(transmitted.isEmpty(), "writes to the latch are not transmitted");
    }

    @Test
    void transmittedBytesReachTheSinkAndThrStaysEmpty() {
        out(RBR_THR_DLL, 'O');
        out(RBR_THR_DLL, 'K');
        assertEquals("OK", transmitted.toString());
        assertEquals(LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY, in(LSR) & (LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY));
    }

    @Test
    void thrEmptyInterruptNeedsOut2AndClearsOnIirRead() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_THR_EMPTY);
        assertTrue(irq, "enabling ETBEI with THR empty interrupts at once");
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR) & 0x0F);
        assertFalse(irq, "reading IIR with THRE as source clears it");
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR) & 0x0F);

        out(RBR_THR_DLL, 'x');
        assertTrue(irq, "THR emptied again after the byte went out");
        out(MCR, 0);
        assertFalse(irq, "without OUT2 the interrupt does not reach the PIC");
    }

    @Test
    void receivedDataInterruptAndFifoOrder() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_RECEIVED_DATA);
        out(IIR_FCR, FCR_ENABLE_FIFO); // trigger level 1
        assertFalse(irq);
        uart.receive("abc".getBytes());
        assertTrue(irq);
        assertEquals(IIR_RECEIVED_DATA | IIR_FIFOS_ENABLED, in(IIR_FCR));
        assertTrue((in(LSR) & LSR_DATA_READY) != 0);
        assertEquals('a', in(RBR_THR_DLL));
        assertEquals('b', in(RBR_THR_DLL));
        assertEquals('c', in(RBR_THR_DLL));
        assertFalse(irq);
        assertEquals(0, in(LSR) & LSR_DATA_READY);
    }

    @Test
    void fifoHoldsSixteenAndTheRestWaitsOnTheHostSide() {
        out(IIR_FCR, FCR_ENABLE_FIFO);
        byte[] input = new byte[40];
        for (int i = 0; i < input.length; i++) input[i] = (byte) i;
        uart.receive(input);
        for (int i = 0; i < input.length; i++) {
            assertTrue((in(LSR) & LSR_DATA_READY) != 0, "byte " + i + " ready");
            assertEquals(i, in(RBR_THR_DLL));
        }
        assertEquals(0, in(LSR) & LSR_DATA_READY);
    }

    @Test
    void triggerLevelDelaysInterruptUntilCharacterTimeout() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_RECEIVED_DATA);
        out(IIR_FCR, FCR_ENABLE_FIFO | 0xC0); // trigger at 14 bytes
        uart.receive("hi".getBytes());
        assertFalse(irq, "two bytes are below the trigger level");
        now = events.nextDeadline();
        events.runDue();
        assertTrue(irq);
        assertEquals(IIR_CHARACTER_TIMEOUT, in(IIR_FCR) & 0x0F);
        assertEquals('h', in(RBR_THR_DLL));
        assertFalse(irq, "reading RBR clears the timeout indication");
    }

    @Test
    void clearReceiveFifo() {
        out(IIR_FCR, FCR_ENABLE_FIFO);
        uart.receive("xyz".getBytes());
        out(IIR_FCR, FCR_ENABLE_FIFO | FCR_CLEAR_RECEIVE);
        assertEquals(0, in(LSR) & LSR_DATA_READY);
    }

    @Test
    void loopbackFeedsTransmitToReceiveAndModemLines() {
        out(MCR, MCR_LOOPBACK);
        assertEquals(0, in(MSR) & 0xF0, "Linux's autoconfig expects no modem inputs with loopback and no outputs");
        out(MCR, MCR_LOOPBACK | 0x0F);
        assertEquals(0xF0, in(MSR) & 0xF0);
        out(RBR_THR_DLL, 0x42);
        assertEquals("", transmitted.toString(), "loopback does not transmit");
        assertEquals(0x42, in(RBR_THR_DLL));
    }

    @Test
    void scratchRegisterHoldsItsValue() {
        out(SCR, 0xA5);
        assertEquals(0xA5, in(SCR));
    }

    @Test
    void stateSurvivesSnapshotRoundTrip() throws IOException {
        out(LCR, LCR_DLAB | 0x03);
        out(RBR_THR_DLL, 0x06);
        out(LCR, 0x03);
        out(SCR, 0x77);
        uart.receive("q".getBytes());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        uart.saveState(new DataOutputStream(bytes));

        Uart16550 copy = new Uart16550("COM1", level -> { }, events, b -> { });
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(0x77, copy.ioRead(SCR, 1));
        assertEquals('q', copy.ioRead(RBR_THR_DLL, 1));
        copy.ioWrite(LCR, 1, LCR_DLAB | 0x03);
        assertEquals(0x06, copy.ioRead(RBR_THR_DLL, 1));
    }
}
