package org.vstation.devices.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vstation.devices.bus.IoPortBus;

/** Talks to the 8042 and its PS/2 devices through ports 0x60/0x64, as SeaBIOS and Linux's i8042 driver do. */
class I8042ControllerTest {
    private final Ps2Keyboard keyboard = new Ps2Keyboard();
    private final Ps2Mouse mouse = new Ps2Mouse();
    private final List<Boolean> a20Changes = new ArrayList<>();
    private int resets;
    private boolean irq1;
    private boolean irq12;
    private int irq1Edges;
    private int irq12Edges;
    private final I8042Controller kbc = new I8042Controller(keyboard, mouse,
            high -> {
                if (high && !irq1) irq1Edges++;
                irq1 = high;
            },
            high -> {
                if (high && !irq12) irq12Edges++;
                irq12 = high;
            },
            a20Changes::add, () -> resets++);
    private final IoPortBus io = new IoPortBus();

    I8042ControllerTest() {
        io.place(kbc.dataPort(), I8042Controller.DATA_PORT, 1);
        io.place(kbc.commandPort(), I8042Controller.COMMAND_PORT, 1);
    }

    private int status() {
        return io.read(0x64, 1);
    }

    private void command(int value) {
        io.write(0x64, 1, value);
    }

    private void data(int value) {
        io.write(0x60, 1, value);
    }

    private void writeCommandByte(int value) {
        command(0x60);
        data(value);
    }

    /** Reads everything waiting, as a polling driver does. */
    private int[] drain() {
        List<Integer> bytes = new ArrayList<>();
        while ((status() & 0x01) != 0) {
            bytes.add(io.read(0x60, 1));
        }
        return bytes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] bytes(int... values) {
        return values;
    }

    @Test
    void selfTestAnswers55AndSetsTheSystemFlag() {
        assertEquals(0, status() & 0x04, "cold boot: system flag clear");
        command(0xAA);
        assertEquals(0x01, status() & 0x01);
        assertEquals(0x08, status() & 0x08, "the last write went to the command port");
        assertEquals(0x55, io.read(0x60, 1));
        assertEquals(0x04, status() & 0x04);
        assertEquals(0, status() & 0x01);
    }

    @Test
    void interfaceTestsPass() {
        command(0xAB);
        assertArrayEquals(bytes(0x00), drain());
        command(0xA9);
        assertArrayEquals(bytes(0x00), drain());
        command(0xA4);
        assertArrayEquals(bytes(0xF1), drain(), "no password installed");
    }

    @Test
    void commandByteReadsBackAndControlsTheSystemFlag() {
        writeCommandByte(0x65);
        assertEquals(0, status() & 0x08, "the data byte went to port 0x60");
        command(0x20);
        assertArrayEquals(bytes(0x65), drain());
        assertEquals(0x04, status() & 0x04);
        command(0x7F); // write controller RAM byte 31
        data(0x5A);
        command(0x3F);
        assertArrayEquals(bytes(0x5A), drain());
    }

    @Test
    void outputPortGatesA20() {
        assertTrue(kbc.a20Enabled(), "A20 comes up enabled");
        command(0xD1);
        data(0xDD); // HIMEM's "A20 off" output port value
        assertEquals(List.of(false), a20Changes);
        assertFalse(kbc.a20Enabled());
        command(0xD0);
        assertEquals(0xCD, drain()[0], "A20 off, reset high, output buffer empty when read");
        command(0xD1);
        data(0xDF);
        assertEquals(List.of(false, true), a20Changes);
        command(0xDD);
        command(0xDF);
        assertEquals(List.of(false, true, false, true), a20Changes);
        assertEquals(0, resets);
    }

    @Test
    void pulsingOutputPortBit0ResetsTheSystem() {
        command(0xFE);
        assertEquals(1, resets);
        command(0xFD); // pulses bit 1 only
        assertEquals(1, resets);
        command(0xD1);
        data(0xCE);
        assertEquals(2, resets);
    }

    @Test
    void keyboardResetAndIdentifyWithTranslation() {
        writeCommandByte(0x41); // translate, keyboard IRQ
        data(0xFF);
        assertTrue(irq1);
        assertArrayEquals(bytes(0xFA, 0xAA), drain());
        assertEquals(2, irq1Edges, "one interrupt per byte");
        data(0xF2);
        assertArrayEquals(bytes(0xFA, 0xAB, 0x41), drain(), "the translated identity of an MF2 keyboard");
        writeCommandByte(0x01);
        data(0xF2);
        assertArrayEquals(bytes(0xFA, 0xAB, 0x83), drain());
    }

    @Test
    void scanCodeSetGetAndSet() {
        writeCommandByte(0x00);
        data(0xF0);
        data(0x00);
        assertArrayEquals(bytes(0xFA, 0xFA, 0x02), drain());
        data(0xF0);
        data(0x01);
        assertArrayEquals(bytes(0xFA, 0xFA), drain());
        keyboard.keyDown(KeyCode.A);
        keyboard.keyUp(KeyCode.A);
        assertArrayEquals(bytes(0x1E, 0x9E), drain(), "set 1 straight from the keyboard");
        data(0xF0);
        data(0x03);
        assertArrayEquals(bytes(0xFA, 0xFE), drain(), "no set 3 on this keyboard");
    }

    @Test
    void translationTurnsSet2MakeAndBreakIntoSet1() {
        writeCommandByte(0x41);
        keyboard.keyDown(KeyCode.A);
        keyboard.keyUp(KeyCode.A);
        keyboard.keyDown(KeyCode.UP);
        keyboard.keyUp(KeyCode.UP);
        keyboard.keyDown(KeyCode.F7);
        assertArrayEquals(bytes(0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8, 0x41), drain());
        keyboard.keyDown(KeyCode.PAUSE);
        assertArrayEquals(bytes(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), drain());
        keyboard.keyDown(KeyCode.PRINT_SCREEN);
        keyboard.keyUp(KeyCode.PRINT_SCREEN);
        assertArrayEquals(bytes(0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA), drain());
    }

    @Test
    void untranslatedSet2Bytes() {
        writeCommandByte(0x01);
        keyboard.keyDown(KeyCode.RIGHT_CONTROL);
        keyboard.keyUp(KeyCode.RIGHT_CONTROL);
        assertArrayEquals(bytes(0xE0, 0x14, 0xE0, 0xF0, 0x14), drain());
    }

    @Test
    void everyKeyTranslatesToADistinctSet1Code() {
        writeCommandByte(0x40);
        Set<String> seen = new HashSet<>();
        for (KeyCode key : KeyCode.values()) {
            keyboard.keyDown(key);
            int[] make = drain();
            assertTrue(make.length > 0, key.name());
            for (int b : make) assertTrue(b != 0xF0 && b != 0xFF, key + " translated to " + Arrays.toString(make));
            assertTrue(seen.add(Arrays.toString(make)), key + " collides");
        }
    }

    @Test
    void ledsAndTypematicTakeAParameter() {
        writeCommandByte(0x00);
        data(0xED);
        data(0x07);
        data(0xF3);
        data(0x20);
        assertArrayEquals(bytes(0xFA, 0xFA, 0xFA, 0xFA), drain());
        assertEquals(7, keyboard.leds());
        assertEquals(0x20, keyboard.typematic());
        data(0xEE);
        assertArrayEquals(bytes(0xEE), drain(), "echo");
        data(0x12);
        assertArrayEquals(bytes(0xFE), drain(), "unknown command: resend");
    }

    @Test
    void disabledKeyboardHoldsItsDataAndScanningCanBeStopped() {
        writeCommandByte(0x01);
        command(0xAD);
        keyboard.keyDown(KeyCode.Q);
        assertEquals(0, status() & 0x01);
        command(0xAE);
        assertArrayEquals(bytes(0x15), drain());
        data(0xF5); // default and disable: the keyboard stops scanning
        drain();
        keyboard.keyDown(KeyCode.Q);
        assertEquals(0, status() & 0x01);
        data(0xF4);
        assertArrayEquals(bytes(0xFA), drain());
        keyboard.keyDown(KeyCode.Q);
        assertArrayEquals(bytes(0x15), drain());
    }

    @Test
    void mouseResetAndStreamPacketsRaiseIrq12() {
        writeCommandByte(0x03); // both interrupts, both ports enabled
        command(0xD4);
        data(0xFF);
        assertEquals(0x21, status() & 0x21, "aux data in the output buffer");
        assertTrue(irq12);
        assertFalse(irq1);
        assertArrayEquals(bytes(0xFA, 0xAA, 0x00), drain());
        command(0xD4);
        data(0xF4);
        assertArrayEquals(bytes(0xFA), drain());
        irq12Edges = 0;
        mouse.mouseMoved(10, 5, 0, Ps2Mouse.BUTTON_LEFT);
        assertArrayEquals(bytes(0x29, 0x0A, 0xFB), drain(), "left button, x +10, y -5 (screen down)");
        assertEquals(3, irq12Edges);
    }

    @Test
    void largeMotionIsSplitIntoSeveralPackets() {
        writeCommandByte(0x00);
        command(0xD4);
        data(0xF4);
        drain();
        mouse.mouseMoved(-600, 0, 0, 0);
        assertArrayEquals(bytes(0x18, 0x01, 0x00, 0x18, 0x01, 0x00, 0x18, 0xA6, 0x00), drain());
    }

    @Test
    void disabledMouseReportsNothing() {
        writeCommandByte(0x00);
        mouse.mouseMoved(3, 3, 0, 0);
        assertEquals(0, status() & 0x01);
    }

    @Test
    void intelliMouseKnockSelectsWheelPackets() {
        writeCommandByte(0x00);
        int[] knock = {0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2};
        for (int b : knock) {
            command(0xD4);
            data(b);
        }
        assertArrayEquals(bytes(0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x03), drain());
        command(0xD4);
        data(0xF4);
        drain();
        mouse.mouseMoved(0, 0, -1, Ps2Mouse.BUTTON_RIGHT);
        assertArrayEquals(bytes(0x0A, 0x00, 0x00, 0xFF), drain());
    }

    @Test
    void statusRequestReportsModeResolutionAndRate() {
        writeCommandByte(0x00);
        int[] setup = {0xE8, 0x03, 0xF3, 40, 0xE7, 0xF4};
        for (int b : setup) {
            command(0xD4);
            data(b);
        }
        drain();
        command(0xD4);
        data(0xE9);
        assertArrayEquals(bytes(0xFA, 0x30, 0x03, 40), drain());
    }

    @Test
    void remoteModeSendsAccumulatedMotionOnReadData() {
        writeCommandByte(0x00);
        command(0xD4);
        data(0xF0);
        drain();
        mouse.mouseMoved(2, 0, 0, 0);
        mouse.mouseMoved(3, -4, 0, 0);
        assertEquals(0, status() & 0x01, "nothing is streamed in remote mode");
        command(0xD4);
        data(0xEB);
        assertArrayEquals(bytes(0xFA, 0x08, 0x05, 0x04), drain());
    }

    @Test
    void wrapModeEchoes() {
        writeCommandByte(0x00);
        int[] sequence = {0xEE, 0x42, 0xF4, 0xEC};
        for (int b : sequence) {
            command(0xD4);
            data(b);
        }
        assertArrayEquals(bytes(0xFA, 0x42, 0xF4, 0xFA), drain());
    }

    @Test
    void writeOutputBufferCommandsLoopBytesBack() {
        writeCommandByte(0x03);
        command(0xD2);
        data(0x99);
        assertEquals(0x01, status() & 0x21);
        assertTrue(irq1);
        assertArrayEquals(bytes(0x99), drain());
        command(0xD3);
        data(0x77);
        assertEquals(0x21, status() & 0x21);
        assertTrue(irq12);
        assertArrayEquals(bytes(0x77), drain());
    }

    @Test
    void garbageOnBothPortsNeverThrows() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            int port = random.nextBoolean() ? 0x60 : 0x64;
            if (random.nextInt(3) == 0) {
                io.read(port, 1 << random.nextInt(3));
            } else {
                io.write(port, 1 << random.nextInt(3), random.nextInt());
            }
            if (i % 1000 == 0) {
                keyboard.keyDown(KeyCode.values()[random.nextInt(KeyCode.values().length)]);
                mouse.mouseMoved(random.nextInt(2000) - 1000, random.nextInt(2000) - 1000, random.nextInt(10) - 5, random.nextInt(8));
            }
        }
    }

    @Test
    void stateSurvivesSnapshot() throws IOException {
        writeCommandByte(0x47);
        command(0xD1);
        data(0xCD);
        keyboard.keyDown(KeyCode.B);
        keyboard.keyDown(KeyCode.N);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        kbc.saveState(new DataOutputStream(bytes));

        List<Boolean> copyA20 = new ArrayList<>();
        I8042Controller copy = new I8042Controller(new Ps2Keyboard(), new Ps2Mouse(), high -> { }, high -> { },
                copyA20::add, () -> { });
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(List.of(false), copyA20);
        assertEquals(0x47, copy.commandByte());
        assertEquals(0x30, copy.dataPort().ioRead(0, 1));
        assertEquals(0x31, copy.dataPort().ioRead(0, 1));
    }
}
