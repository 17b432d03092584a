package org.vstation.devices.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.debug.PostCodePort;

/** Programs the DMA controllers through their ports as a BIOS and a floppy or sound driver would. */
class IsaDmaTest {
    private final PhysicalMemory memory = new PhysicalMemory(1 << 20);
    private final IsaDma dma = new IsaDma(memory);
    private final IoPortBus io = new IoPortBus();

    @BeforeEach
    void placeAndSetUpCascadeLikeTheBios() {
        io.place(dma.controller1(), IsaDma.DMA1_BASE, IsaDma.DMA1_PORTS);
        io.place(dma.controller2(), IsaDma.DMA2_BASE, IsaDma.DMA2_PORTS);
        io.place(dma.pageRegisters(), IsaDma.PAGE_BASE, IsaDma.PAGE_PORTS);
        io.place(new PostCodePort(), PostCodePort.PORT, 1);
        io.write(0xD6, 1, 0xC0); // channel 4: cascade mode
        io.write(0xD4, 1, 0x00); // unmask channel 4
    }

    /** The classic floppy driver sequence for channel 2. */
    private void programChannel2(int mode, int page, int address, int count) {
        io.write(0x0A, 1, 0x06);         // mask channel 2
        io.write(0x0C, 1, 0x00);         // clear the byte pointer flip-flop
        io.write(0x0B, 1, mode | 0x02);  // mode for channel 2
        io.write(0x04, 1, address & 0xFF);
        io.write(0x04, 1, address >>> 8);
        io.write(0x81, 1, page);
        io.write(0x05, 1, count & 0xFF);
        io.write(0x05, 1, count >>> 8);
        io.write(0x0A, 1, 0x02);         // unmask channel 2
    }

    private static byte[] pattern(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte) (i * 7 + 3);
        return data;
    }

    private byte[] memoryAt(long address, int length) {
        byte[] out = new byte[length];
        memory.readBytes(address, out, 0, length);
        return out;
    }

    private int readWordRegister(int port) {
        io.write(0x0C, 1, 0);
        return io.read(port, 1) | io.read(port, 1) << 8;
    }

    @Test
    void floppyReadLandsInMemoryAndStopsAtTerminalCount() {
        programChannel2(0x44, 0x02, 0x1000, 511); // single mode, write to memory
        assertTrue(dma.isReady(2));
        byte[] sector = pattern(600);
        assertEquals(512, dma.transferToMemory(2, sector, 0, 600), "count + 1 bytes, then terminal count");
        assertArrayEquals(Arrays.copyOf(sector, 512), memoryAt(0x21000, 512));
        assertEquals(0, memoryAt(0x21200, 1)[0], "nothing past the count");
        assertEquals(0x04, io.read(0x08, 1) & 0x0F, "TC for channel 2");
        assertEquals(0, io.read(0x08, 1) & 0x0F, "TC bits clear on read");
        assertEquals(0x1200, readWordRegister(0x04));
        assertEquals(0xFFFF, readWordRegister(0x05));
        assertFalse(dma.isReady(2), "without autoinitialise the channel masks itself");
        assertEquals(0, dma.transferToMemory(2, sector, 0, 1));
    }

    @Test
    void transfersProceedInPiecesUntilTheCountIsDone() {
        programChannel2(0x44, 0x00, 0x8000, 99);
        byte[] data = pattern(100);
        assertEquals(60, dma.transferToMemory(2, data, 0, 60));
        assertEquals(40, dma.transferToMemory(2, data, 60, 60));
        assertArrayEquals(data, memoryAt(0x8000, 100));
    }

    @Test
    void readFromMemoryFeedsTheDevice() {
        memory.writeBytes(0x4000, pattern(64), 0, 64);
        programChannel2(0x48, 0x00, 0x4000, 63); // read from memory
        byte[] out = new byte[64];
        assertEquals(64, dma.transferFromMemory(2, out, 0, 64));
        assertArrayEquals(pattern(64), out);
    }

    @Test
    void autoinitialiseReloadsAndStaysUnmasked() {
        memory.writeBytes(0x6000, pattern(16), 0, 16);
        programChannel2(0x58, 0x00, 0x6000, 15); // read, autoinitialise (sound playback)
        byte[] out = new byte[16];
        assertEquals(16, dma.transferFromMemory(2, out, 0, 16));
        assertTrue(dma.isReady(2));
        assertEquals(0x6000, readWordRegister(0x04));
        assertEquals(15, readWordRegister(0x05));
        byte[] again = new byte[16];
        assertEquals(16, dma.transferFromMemory(2, again, 0, 16));
        assertArrayEquals(out, again);
    }

    @Test
    void addressDecrementModeRunsBackwards() {
        programChannel2(0x64, 0x00, 0x3003, 3); // write to memory, decrement
        dma.transferToMemory(2, new byte[] {1, 2, 3, 4}, 0, 4);
        assertArrayEquals(new byte[] {4, 3, 2, 1}, memoryAt(0x3000, 4));
    }

    @Test
    void addressWrapsInsideThe64KiBPage() {
        programChannel2(0x44, 0x01, 0xFFFF, 1);
        dma.transferToMemory(2, new byte[] {0x11, 0x22}, 0, 2);
        assertEquals(0x11, memoryAt(0x1FFFF, 1)[0]);
        assertEquals(0x22, memoryAt(0x10000, 1)[0], "the page register does not carry");
        assertEquals(0, memoryAt(0x20000, 1)[0]);
    }

    @Test
    void wordChannelsAddressWordsIn128KiBPages() {
        io.write(0xD4, 1, 0x05);         // mask channel 5
        io.write(0xD8, 1, 0x00);         // flip-flop
        io.write(0xD6, 1, 0x45);         // channel 5: single, write to memory
        io.write(0xC4, 1, 0x00);         // address (in words) 0x8000
        io.write(0xC4, 1, 0x80);
        io.write(0x8B, 1, 0x03);         // page: bit 0 is ignored for word channels
        io.write(0xC6, 1, 0x01);         // count: 2 words
        io.write(0xC6, 1, 0x00);
        io.write(0xD4, 1, 0x01);         // unmask channel 5
        assertEquals(4, dma.transferToMemory(5, new byte[] {1, 2, 3, 4, 5, 6}, 0, 6));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, memoryAt(0x30000, 4));
        assertEquals(0x02, io.read(0xD0, 1) & 0x0F, "TC of channel 5 is bit 1 of controller 2");
    }

    @Test
    void verifyModeMovesNothing() {
        programChannel2(0x40, 0x00, 0x5000, 7);
        assertEquals(8, dma.transferToMemory(2, pattern(8), 0, 8));
        assertArrayEquals(new byte[8], memoryAt(0x5000, 8));
    }

    @Test
    void controllerOneNeedsTheCascadeChannel() {
        programChannel2(0x44, 0x00, 0x1000, 7);
        io.write(0xD4, 1, 0x04); // mask channel 4
        assertFalse(dma.isReady(2));
        assertEquals(0, dma.transferToMemory(2, pattern(8), 0, 8));
        assertThrows(IllegalArgumentException.class, () -> dma.transferToMemory(4, new byte[2], 0, 2));
    }

    @Test
    void statusShowsRequestsAndMasterClearMasksEverything() {
        dma.setRequest(1, true);
        io.write(0x09, 1, 0x07); // software request on channel 3
        assertEquals(0xA0, io.read(0x08, 1) & 0xF0);
        io.write(0x0E, 1, 0x00); // clear mask register
        assertEquals(0xF0, io.read(0x0F, 1));
        io.write(0x0D, 1, 0x00); // master clear
        assertEquals(0xFF, io.read(0x0F, 1));
        assertEquals(0x20, io.read(0x08, 1) & 0xF0, "the device's DREQ stays");
    }

    @Test
    void pageRegistersAroundThePostPort() {
        for (int port = 0x81; port <= 0x8F; port++) io.write(port, 1, port ^ 0xA5);
        for (int port = 0x81; port <= 0x8F; port++) assertEquals(port ^ 0xA5, io.read(port, 1));
        io.write(0x80, 1, 0x42);
        assertEquals(0x42, io.read(0x80, 1), "0x80 stays the POST port");
    }

    @Test
    void garbageOnEveryDmaPortNeverThrows() {
        Random random = new Random(3);
        int[] ports = new int[IsaDma.DMA1_PORTS + IsaDma.DMA2_PORTS + IsaDma.PAGE_PORTS];
        int n = 0;
        for (int p = 0; p < 16; p++) ports[n++] = p;
        for (int p = 0xC0; p < 0xE0; p++) ports[n++] = p;
        for (int p = 0x81; p < 0x90; p++) ports[n++] = p;
        byte[] buffer = new byte[4096];
        for (int i = 0; i < 100_000; i++) {
            int port = ports[random.nextInt(ports.length)];
            if (random.nextBoolean()) io.write(port, 1 << random.nextInt(3), random.nextInt());
            else io.read(port, 1 << random.nextInt(3));
            if (i % 100 == 0) {
                int channel = random.nextInt(8);
                if (channel != 4) dma.transferToMemory(channel, buffer, 0, random.nextInt(buffer.length));
            }
        }
    }

    @Test
    void stateSurvivesSnapshot() throws IOException {
        programChannel2(0x44, 0x02, 0x1000, 511);
        dma.transferToMemory(2, pattern(100), 0, 100);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        dma.saveState(new DataOutputStream(bytes));
        IsaDma copy = new IsaDma(memory);
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(412, copy.transferToMemory(2, pattern(600), 0, 600));
        assertEquals(0x02, copy.pageRegisters().ioRead(0, 1));
    }
}
