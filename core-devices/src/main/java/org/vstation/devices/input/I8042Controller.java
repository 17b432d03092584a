package org.vstation.devices.input;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Consumer;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * Intel 8042 keyboard controller of a PS/2-style PC: data port 0x60, status/command port 0x64, IRQ 1 and IRQ 12.
 * Follows the IBM PS/2 technical reference ("Keyboard/Auxiliary Device Controller": status, command byte,
 * commands, output port).
 *
 * <p>The controller answers its own commands at once (the input buffer is
 * never busy), moves one byte at a time from the keyboard, the mouse or its
 * own responses into the output buffer, translates keyboard set 2 codes to
 * set 1 when command byte bit 6 asks, and raises IRQ 1 or IRQ 12 while that
 * byte waits. Output port bit 1 gates A20 and a low bit 0 resets the system;
 * both go to callbacks the machine provides.
 */
public final class I8042Controller implements Snapshottable {
    public static final int DATA_PORT = 0x60;
    public static final int COMMAND_PORT = 0x64;

    // Status register.
    public static final int STATUS_OUTPUT_FULL = 0x01;
    public static final int STATUS_INPUT_FULL = 0x02;
    public static final int STATUS_SYSTEM_FLAG = 0x04;
    public static final int STATUS_LAST_WAS_COMMAND = 0x08;
    public static final int STATUS_NOT_INHIBITED = 0x10;
    public static final int STATUS_AUX_OUTPUT_FULL = 0x20;

    // Command byte (controller RAM byte 0).
    public static final int CB_KEYBOARD_INTERRUPT = 0x01;
    public static final int CB_AUX_INTERRUPT = 0x02;
    public static final int CB_SYSTEM_FLAG = 0x04;
    public static final int CB_KEYBOARD_DISABLED = 0x10;
    public static final int CB_AUX_DISABLED = 0x20;
    public static final int CB_TRANSLATE = 0x40;

    // Output port.
    public static final int OUT_SYSTEM_RESET = 0x01; // active low
    public static final int OUT_A20_GATE = 0x02;
    public static final int OUT_KEYBOARD_OUTPUT_FULL = 0x10;
    public static final int OUT_AUX_OUTPUT_FULL = 0x20;
    /** Reset high, A20 on, clock and data lines high: how the output port comes up, so the BIOS runs with A20 on. */
    private static final int OUTPUT_PORT_AT_POWER_ON = 0xCF;
    /** Input port: keyboard not inhibited (bit 7), colour display (bit 6 clear). */
    private static final int INPUT_PORT = 0x80;

    // Controller commands.
    public static final int READ_RAM = 0x20;
    public static final int WRITE_RAM = 0x60;
    public static final int PASSWORD_INSTALLED_TEST = 0xA4;
    public static final int DISABLE_AUX = 0xA7;
    public static final int ENABLE_AUX = 0xA8;
    public static final int AUX_INTERFACE_TEST = 0xA9;
    public static final int SELF_TEST = 0xAA;
    public static final int KEYBOARD_INTERFACE_TEST = 0xAB;
    public static final int DISABLE_KEYBOARD = 0xAD;
    public static final int ENABLE_KEYBOARD = 0xAE;
    public static final int READ_INPUT_PORT = 0xC0;
    public static final int READ_OUTPUT_PORT = 0xD0;
    public static final int WRITE_OUTPUT_PORT = 0xD1;
    public static final int WRITE_KEYBOARD_OUTPUT = 0xD2;
    public static final int WRITE_AUX_OUTPUT = 0xD3;
    public static final int WRITE_AUX_DEVICE = 0xD4;
    public static final int DISABLE_A20 = 0xDD;
    public static final int ENABLE_A20 = 0xDF;
    public static final int READ_TEST_INPUTS = 0xE0;
    public static final int PULSE_OUTPUT_PORT = 0xF0;

    public static final int SELF_TEST_PASSED = 0x55;
    public static final int INTERFACE_TEST_PASSED = 0x00;
    private static final int NO_PASSWORD = 0xF1;
    private static final int NONE = -1;

    private final Ps2Keyboard keyboard;
    private final Ps2Mouse mouse;
    private final InterruptLine irq1;
    private final InterruptLine irq12;
    private final Consumer<Boolean> a20Gate;
    private final Runnable systemReset;
    private final ScanCodeTranslator translator = new ScanCodeTranslator();
    private final ByteFifo controllerOutput = new ByteFifo(4);
    private final byte[] ram = new byte[32];
    private final IoDevice dataPort;
    private final IoDevice commandPort;

    private int outputBuffer;
    private boolean outputFull;
    private boolean outputFromAux;
    private int outputPort = OUTPUT_PORT_AT_POWER_ON;
    private boolean systemFlag;
    private boolean lastWriteWasCommand;
    /** The command whose data byte the next write to port 0x60 is, or NONE. */
    private int commandAwaitingData = NONE;

    public I8042Controller(Ps2Keyboard keyboard, Ps2Mouse mouse, InterruptLine irq1, InterruptLine irq12,
                           Consumer<Boolean> a20Gate, Runnable systemReset) {
        this.keyboard = keyboard;
        this.mouse = mouse;
        this.irq1 = irq1;
        this.irq12 = irq12;
        this.a20Gate = a20Gate;
        this.systemReset = systemReset;
        ram[0] = (byte) (CB_KEYBOARD_INTERRUPT | CB_TRANSLATE);
        keyboard.connect(this::fillOutputBuffer);
        mouse.connect(this::fillOutputBuffer);
        dataPort = IoDevice.of("8042 keyboard controller data", (offset, size) -> readData(),
                (offset, size, value) -> writeData(value & 0xFF));
        commandPort = IoDevice.of("8042 keyboard controller status/command", (offset, size) -> readStatus(),
                (offset, size, value) -> writeCommand(value & 0xFF));
    }

    /** Port 0x60, one byte. */
    public IoDevice dataPort() {
        return dataPort;
    }

    /** Port 0x64, one byte. */
    public IoDevice commandPort() {
        return commandPort;
    }

    public Ps2Keyboard keyboard() {
        return keyboard;
    }

    public Ps2Mouse mouse() {
        return mouse;
    }

    /** Output port bit 1: whether the controller lets A20 through. */
    public boolean a20Enabled() {
        return (outputPort & OUT_A20_GATE) != 0;
    }

    public int commandByte() {
        return ram[0] & 0xFF;
    }

    // ---- ports ----------------------------------------------------------------------

    private int readStatus() {
        int status = STATUS_NOT_INHIBITED;
        if (outputFull) status |= STATUS_OUTPUT_FULL;
        if (outputFull && outputFromAux) status |= STATUS_AUX_OUTPUT_FULL;
        if (systemFlag) status |= STATUS_SYSTEM_FLAG;
        if (lastWriteWasCommand) status |= STATUS_LAST_WAS_COMMAND;
        return status;
    }

    /** Reading the data port empties the output buffer; an empty buffer reads its last byte again. */
    private int readData() {
        int value = outputBuffer;
        if (outputFull) {
            outputFull = false;
            updateInterrupts();
            fillOutputBuffer();
        }
        return value;
    }

    private void writeData(int value) {
        lastWriteWasCommand = false;
        int command = commandAwaitingData;
        commandAwaitingData = NONE;
        if (command == NONE) {
            keyboard.write(value);
            return;
        }
        if (command >= WRITE_RAM && command < WRITE_RAM + ram.length) {
            writeRam(command - WRITE_RAM, value);
            return;
        }
        switch (command) {
            case WRITE_OUTPUT_PORT -> writeOutputPort(value);
            case WRITE_KEYBOARD_OUTPUT -> placeInOutputBuffer(value, false);
            case WRITE_AUX_OUTPUT -> placeInOutputBuffer(value, true);
            default -> mouse.write(value); // WRITE_AUX_DEVICE
        }
    }

    private void writeCommand(int command) {
        lastWriteWasCommand = true;
        commandAwaitingData = NONE;
        if (command >= READ_RAM && command < READ_RAM + ram.length) {
            respond(ram[command - READ_RAM] & 0xFF);
            return;
        }
        if (command >= WRITE_RAM && command < WRITE_RAM + ram.length) {
            commandAwaitingData = command;
            return;
        }
        if ((command & 0xF0) == PULSE_OUTPUT_PORT) {
            // Bits 3-0 clear = pulse that output port bit low; bit 0 is the reset line.
            if ((command & OUT_SYSTEM_RESET) == 0) systemReset.run();
            return;
        }
        switch (command) {
            case PASSWORD_INSTALLED_TEST -> respond(NO_PASSWORD);
            case DISABLE_AUX -> writeRam(0, ram[0] | CB_AUX_DISABLED);
            case ENABLE_AUX -> writeRam(0, ram[0] & ~CB_AUX_DISABLED);
            case AUX_INTERFACE_TEST, KEYBOARD_INTERFACE_TEST -> respond(INTERFACE_TEST_PASSED);
            case SELF_TEST -> {
                systemFlag = true; // set after a successful self test
                respond(SELF_TEST_PASSED);
            }
            case DISABLE_KEYBOARD -> writeRam(0, ram[0] | CB_KEYBOARD_DISABLED);
            case ENABLE_KEYBOARD -> writeRam(0, ram[0] & ~CB_KEYBOARD_DISABLED);
            case READ_INPUT_PORT -> respond(INPUT_PORT);
            case READ_OUTPUT_PORT -> respond(currentOutputPort());
            case WRITE_OUTPUT_PORT, WRITE_KEYBOARD_OUTPUT, WRITE_AUX_OUTPUT, WRITE_AUX_DEVICE ->
                    commandAwaitingData = command;
            case DISABLE_A20 -> writeOutputPort(outputPort & ~OUT_A20_GATE);
            case ENABLE_A20 -> writeOutputPort(outputPort | OUT_A20_GATE);
            case READ_TEST_INPUTS -> respond(0x00);
            default -> { } // not implemented by this controller: ignored, as by 8042s that lack it
        }
    }

    private static boolean takesData(int command) {
        return command == NONE || (command >= WRITE_RAM && command < WRITE_RAM + 32)
                || command == WRITE_OUTPUT_PORT || command == WRITE_KEYBOARD_OUTPUT
                || command == WRITE_AUX_OUTPUT || command == WRITE_AUX_DEVICE;
    }

    private void writeRam(int address, int value) {
        ram[address] = (byte) value;
        if (address == 0) {
            systemFlag = (value & CB_SYSTEM_FLAG) != 0;
            updateInterrupts();
            fillOutputBuffer();
        }
    }

    private int currentOutputPort() {
        int value = outputPort & ~(OUT_KEYBOARD_OUTPUT_FULL | OUT_AUX_OUTPUT_FULL);
        if (outputFull) value |= outputFromAux ? OUT_AUX_OUTPUT_FULL : OUT_KEYBOARD_OUTPUT_FULL;
        return value;
    }

    private void writeOutputPort(int value) {
        boolean a20Before = a20Enabled();
        outputPort = value | OUT_SYSTEM_RESET; // the reset line is released once the system has reset
        if (a20Enabled() != a20Before) {
            a20Gate.accept(a20Enabled());
        }
        if ((value & OUT_SYSTEM_RESET) == 0) {
            systemReset.run();
        }
    }

    // ---- output buffer ---------------------------------------------------------------------

    private void respond(int value) {
        controllerOutput.add(value);
        fillOutputBuffer();
    }

    private void placeInOutputBuffer(int value, boolean fromAux) {
        outputBuffer = value & 0xFF;
        outputFull = true;
        outputFromAux = fromAux;
        updateInterrupts();
    }

    /** Moves the next byte into an empty output buffer: controller answers first, then keyboard, then mouse. */
    private void fillOutputBuffer() {
        if (outputFull) return;
        if (!controllerOutput.isEmpty()) {
            placeInOutputBuffer(controllerOutput.poll(), false);
            return;
        }
        if ((ram[0] & CB_KEYBOARD_DISABLED) == 0) {
            while (keyboard.hasData()) {
                int value = keyboard.read();
                if ((ram[0] & CB_TRANSLATE) != 0) {
                    value = translator.translate(value);
                    if (value < 0) continue; // a break prefix merges into the next byte
                }
                placeInOutputBuffer(value, false);
                return;
            }
        }
        if ((ram[0] & CB_AUX_DISABLED) == 0 && mouse.hasData()) {
            placeInOutputBuffer(mouse.read(), true);
        }
    }

    private void updateInterrupts() {
        irq1.setLevel(outputFull && !outputFromAux && (ram[0] & CB_KEYBOARD_INTERRUPT) != 0);
        irq12.setLevel(outputFull && outputFromAux && (ram[0] & CB_AUX_INTERRUPT) != 0);
    }

    // ---- snapshot ------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        out.write(ram);
        controllerOutput.save(out);
        out.writeInt(outputBuffer);
        out.writeBoolean(outputFull);
        out.writeBoolean(outputFromAux);
        out.writeInt(outputPort);
        out.writeBoolean(systemFlag);
        out.writeBoolean(lastWriteWasCommand);
        out.writeInt(commandAwaitingData);
        out.writeBoolean(translator.breakPending());
        keyboard.saveState(out);
        mouse.saveState(out);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("8042: unsupported state version " + version);
        }
        in.readFully(ram);
        controllerOutput.restore(in);
        outputBuffer = in.readInt();
        outputFull = in.readBoolean();
        outputFromAux = in.readBoolean();
        outputPort = in.readInt();
        systemFlag = in.readBoolean();
        lastWriteWasCommand = in.readBoolean();
        commandAwaitingData = in.readInt();
        if (!takesData(commandAwaitingData)) {
            throw new IOException("8042: corrupt state, command 0x" + Integer.toHexString(commandAwaitingData)
                    + " takes no data byte");
        }
        translator.setBreakPending(in.readBoolean());
        keyboard.restoreState(in);
        mouse.restoreState(in);
        a20Gate.accept(a20Enabled());
        updateInterrupts();
    }
}
