package org.vstation.devices.input;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * An IBM PS/2 (MF2) keyboard on the 8042's first port: scan code sets 1 and 2, LEDs, typematic, identify.
 * Follows the IBM PS/2 keyboard and auxiliary device technical reference (keyboard commands and responses).
 *
 * <p>Keys come from the host as {@link KeyCode}s or raw set 2 bytes; in set 1
 * the keyboard sends their set 1 equivalents. Auto-repeat is the host's: it
 * repeats key-down events, so the typematic setting is kept but not used.
 * Set 3 is refused as on keyboards without it. Call on the VM thread.
 */
public final class Ps2Keyboard implements Ps2Device, Snapshottable {
    public static final int ACK = 0xFA;
    public static final int RESEND = 0xFE;
    public static final int BAT_COMPLETE = 0xAA;
    public static final int ECHO = 0xEE;
    private static final int[] IDENTITY = {0xAB, 0x83};

    public static final int SET_LEDS = 0xED;
    public static final int CMD_ECHO = 0xEE;
    public static final int SCAN_CODE_SET = 0xF0;
    public static final int IDENTIFY = 0xF2;
    public static final int SET_TYPEMATIC = 0xF3;
    public static final int ENABLE = 0xF4;
    public static final int DEFAULT_DISABLE = 0xF5;
    public static final int SET_DEFAULT = 0xF6;
    private static final int SET3_FIRST = 0xF7;
    private static final int SET3_LAST = 0xFD;
    public static final int CMD_RESEND = 0xFE;
    public static final int RESET = 0xFF;

    private static final int DEFAULT_TYPEMATIC = 0x2B; // 10.9 characters/s after 500 ms
    /** Room for a burst of host typing; the controller drains it as the guest reads. */
    private static final int BUFFER_BYTES = 64;
    private static final int NO_PARAMETER = 0;

    private final ByteFifo output = new ByteFifo(BUFFER_BYTES);
    private final ScanCodeTranslator set1Encoder = new ScanCodeTranslator();
    private Runnable dataAvailable = () -> { };
    private int awaitingParameterFor = NO_PARAMETER;
    private int scanCodeSet = 2;
    private boolean scanning = true;
    private int leds;
    private int typematic = DEFAULT_TYPEMATIC;
    private int lastSent = ACK;

    @Override
    public void connect(Runnable dataAvailable) {
        this.dataAvailable = dataAvailable;
    }

    // ---- host side -----------------------------------------------------------------

    public void keyDown(KeyCode key) {
        sendScanCodes(key.make());
    }

    public void keyUp(KeyCode key) {
        sendScanCodes(key.breakCode());
    }

    /** One key event as set 2 bytes; dropped whole if the keyboard is not scanning or its buffer is full. */
    public void sendScanCodes(int... set2Bytes) {
        if (!scanning || output.free() < set2Bytes.length) return;
        for (int b : set2Bytes) {
            if (scanCodeSet == 1) {
                int code = set1Encoder.translate(b);
                if (code >= 0) output.add(code);
            } else {
                output.add(b);
            }
        }
        dataAvailable.run();
    }

    /** LED state the guest last set: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock. */
    public int leds() {
        return leds;
    }

    public int scanCodeSet() {
        return scanCodeSet;
    }

    public boolean scanning() {
        return scanning;
    }

    public int typematic() {
        return typematic;
    }

    // ---- controller side ---------------------------------------------------------------

    @Override
    public boolean hasData() {
        return !output.isEmpty();
    }

    @Override
    public int read() {
        return output.poll();
    }

    @Override
    public void write(int value) {
        value &= 0xFF;
        if (awaitingParameterFor != NO_PARAMETER && value < 0x80) {
            int command = awaitingParameterFor;
            awaitingParameterFor = NO_PARAMETER;
            parameter(command, value);
        } else {
            awaitingParameterFor = NO_PARAMETER; // a command byte cancels a pending parameter
            command(value);
        }
        dataAvailable.run();
    }

    private void command(int command) {
        switch (command) {
            case SET_LEDS, SET_TYPEMATIC, SCAN_CODE_SET -> {
                respond(ACK);
                awaitingParameterFor = command;
            }
            case CMD_ECHO -> respond(ECHO);
            case IDENTIFY -> {
                respond(ACK);
                for (int b : IDENTITY) respond(b);
            }
            case ENABLE -> {
                output.clear();
                scanning = true;
                respond(ACK);
            }
            case DEFAULT_DISABLE -> {
                setDefaults();
                output.clear();
                scanning = false;
                respond(ACK);
            }
            case SET_DEFAULT -> {
                setDefaults();
                output.clear();
                respond(ACK);
            }
            case CMD_RESEND -> output.add(lastSent);
            case RESET -> {
                setDefaults();
                output.clear();
                scanning = true;
                respond(ACK);
                respond(BAT_COMPLETE);
            }
            default -> respond(command >= SET3_FIRST && command <= SET3_LAST ? ACK : RESEND);
        }
    }

    private void parameter(int command, int value) {
        switch (command) {
            case SET_LEDS -> {
                leds = value & 7;
                respond(ACK);
            }
            case SET_TYPEMATIC -> {
                typematic = value & 0x7F;
                respond(ACK);
            }
            default -> scanCodeSetParameter(value);
        }
    }

    private void scanCodeSetParameter(int value) {
        switch (value) {
            case 0 -> {
                respond(ACK);
                respond(scanCodeSet);
            }
            case 1, 2 -> {
                scanCodeSet = value;
                set1Encoder.reset();
                respond(ACK);
            }
            default -> respond(RESEND);
        }
    }

    private void setDefaults() {
        typematic = DEFAULT_TYPEMATIC;
        scanCodeSet = 2;
        leds = 0;
        set1Encoder.reset();
    }

    private void respond(int value) {
        lastSent = value;
        output.add(value);
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        output.save(out);
        out.writeInt(awaitingParameterFor);
        out.writeInt(scanCodeSet);
        out.writeBoolean(scanning);
        out.writeInt(leds);
        out.writeInt(typematic);
        out.writeInt(lastSent);
        out.writeBoolean(set1Encoder.breakPending());
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("PS/2 keyboard: unsupported state version " + version);
        }
        output.restore(in);
        awaitingParameterFor = in.readInt();
        scanCodeSet = in.readInt() == 1 ? 1 : 2;
        scanning = in.readBoolean();
        leds = in.readInt();
        typematic = in.readInt();
        lastSent = in.readInt();
        set1Encoder.setBreakPending(in.readBoolean());
    }
}
