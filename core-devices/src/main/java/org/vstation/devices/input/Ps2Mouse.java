package org.vstation.devices.input;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * An IBM PS/2 mouse on the 8042's auxiliary port, with the Microsoft IntelliMouse wheel extension.
 * Follows the IBM PS/2 keyboard and auxiliary device technical reference (mouse commands, data packet)
 * and Microsoft's IntelliMouse PS/2 protocol note (sample rates 200, 100, 80 select device id 3).
 *
 * <p>Stream mode sends a 3-byte packet (4 with the wheel) per host movement
 * while reporting is enabled; remote mode accumulates motion for Read Data.
 * Call on the VM thread.
 */
public final class Ps2Mouse implements Ps2Device, Snapshottable {
    public static final int ACK = 0xFA;
    public static final int RESEND = 0xFE;
    public static final int BAT_COMPLETE = 0xAA;
    public static final int ID_STANDARD = 0x00;
    public static final int ID_INTELLIMOUSE = 0x03;

    public static final int SET_SCALING_1_1 = 0xE6;
    public static final int SET_SCALING_2_1 = 0xE7;
    public static final int SET_RESOLUTION = 0xE8;
    public static final int STATUS_REQUEST = 0xE9;
    public static final int SET_STREAM_MODE = 0xEA;
    public static final int READ_DATA = 0xEB;
    public static final int RESET_WRAP_MODE = 0xEC;
    public static final int SET_WRAP_MODE = 0xEE;
    public static final int SET_REMOTE_MODE = 0xF0;
    public static final int GET_DEVICE_ID = 0xF2;
    public static final int SET_SAMPLE_RATE = 0xF3;
    public static final int ENABLE_REPORTING = 0xF4;
    public static final int DISABLE_REPORTING = 0xF5;
    public static final int SET_DEFAULTS = 0xF6;
    public static final int CMD_RESEND = 0xFE;
    public static final int RESET = 0xFF;

    public static final int BUTTON_LEFT = 0x01;
    public static final int BUTTON_RIGHT = 0x02;
    public static final int BUTTON_MIDDLE = 0x04;
    private static final int PACKET_ALWAYS_ONE = 0x08;
    private static final int PACKET_X_SIGN = 0x10;
    private static final int PACKET_Y_SIGN = 0x20;
    private static final int STATUS_REMOTE = 0x40;
    private static final int STATUS_ENABLED = 0x20;
    private static final int STATUS_SCALING_2_1 = 0x10;

    private static final int DEFAULT_SAMPLE_RATE = 100;
    private static final int DEFAULT_RESOLUTION = 2; // 4 counts/mm
    private static final int NO_PARAMETER = 0;
    private static final int BUFFER_BYTES = 256;
    private static final int[] INTELLIMOUSE_KNOCK = {200, 100, 80};

    private final ByteFifo output = new ByteFifo(BUFFER_BYTES);
    private Runnable dataAvailable = () -> { };
    private int awaitingParameterFor = NO_PARAMETER;
    private boolean remoteMode;
    private boolean wrapMode;
    private boolean reporting;
    private boolean scaling21;
    private int sampleRate = DEFAULT_SAMPLE_RATE;
    private int resolution = DEFAULT_RESOLUTION;
    private int deviceId = ID_STANDARD;
    private final int[] recentSampleRates = new int[3];
    private int buttons;
    private int pendingX;
    private int pendingY;
    private int pendingZ;
    private int lastSent = ACK;

    @Override
    public void connect(Runnable dataAvailable) {
        this.dataAvailable = dataAvailable;
    }

    // ---- host side ---------------------------------------------------------------------

    /**
     * Host motion in screen directions (dy grows downwards, dz towards the
     * user) and the buttons now held ({@link #BUTTON_LEFT} etc.).
     */
    public void mouseMoved(int dx, int dy, int dz, int buttons) {
        this.buttons = buttons & 7;
        if (!remoteMode && !reporting) return; // a disabled mouse in stream mode reports nothing
        pendingX += dx;
        pendingY -= dy; // PS/2 Y grows upwards
        pendingZ += dz;
        if (remoteMode) return;
        do {
            int packetBytes = deviceId == ID_INTELLIMOUSE ? 4 : 3;
            if (output.free() < packetBytes) break; // the guest is not keeping up: keep the motion for later
            queuePacket();
        } while (pendingX != 0 || pendingY != 0 || pendingZ != 0);
        dataAvailable.run();
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int resolution() {
        return resolution;
    }

    public boolean reporting() {
        return reporting;
    }

    public int deviceId() {
        return deviceId;
    }

    /** Sends one packet with as much of the pending motion as fits in 9 bits (and 4 for the wheel). */
    private void queuePacket() {
        int x = clamp(scaled(pendingX), -255, 255);
        int y = clamp(scaled(pendingY), -255, 255);
        int z = clamp(pendingZ, -8, 7);
        pendingX -= unscaledPart(pendingX, x);
        pendingY -= unscaledPart(pendingY, y);
        pendingZ -= z;
        int status = PACKET_ALWAYS_ONE | buttons;
        if (x < 0) status |= PACKET_X_SIGN;
        if (y < 0) status |= PACKET_Y_SIGN;
        output.add(status);
        output.add(x);
        output.add(y);
        if (deviceId == ID_INTELLIMOUSE) output.add(z);
    }

    /** 2:1 scaling as the reference's table: 1, 1, 3, 6, 9, then twice the count. */
    private int scaled(int count) {
        if (!scaling21 || remoteMode) return count;
        int magnitude = Math.abs(count);
        int result = switch (magnitude) {
            case 0 -> 0;
            case 1, 2 -> 1;
            case 3 -> 3;
            case 4 -> 6;
            case 5 -> 9;
            default -> 2 * magnitude;
        };
        return count < 0 ? -result : result;
    }

    /** How much raw motion a clamped, scaled count accounts for. */
    private int unscaledPart(int raw, int sent) {
        if (scaled(raw) == sent) return raw;
        return scaling21 && !remoteMode ? sent / 2 : sent;
    }

    private static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
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
        if (awaitingParameterFor != NO_PARAMETER) {
            int command = awaitingParameterFor;
            awaitingParameterFor = NO_PARAMETER;
            parameter(command, value);
        } else if (wrapMode && value != RESET && value != RESET_WRAP_MODE) {
            output.add(value); // wrap mode echoes everything but its two escapes
        } else {
            command(value);
        }
        dataAvailable.run();
    }

    private void command(int command) {
        switch (command) {
            case SET_SCALING_1_1 -> ack(() -> scaling21 = false);
            case SET_SCALING_2_1 -> ack(() -> scaling21 = true);
            case SET_RESOLUTION, SET_SAMPLE_RATE -> {
                respond(ACK);
                awaitingParameterFor = command;
            }
            case STATUS_REQUEST -> {
                respond(ACK);
                int status = (remoteMode ? STATUS_REMOTE : 0) | (reporting ? STATUS_ENABLED : 0)
                        | (scaling21 ? STATUS_SCALING_2_1 : 0)
                        | ((buttons & BUTTON_LEFT) != 0 ? 0x04 : 0)
                        | ((buttons & BUTTON_MIDDLE) != 0 ? 0x02 : 0)
                        | ((buttons & BUTTON_RIGHT) != 0 ? 0x01 : 0);
                respond(status);
                respond(resolution);
                respond(sampleRate);
            }
            case SET_STREAM_MODE -> ack(() -> remoteMode = false);
            case READ_DATA -> {
                respond(ACK);
                queuePacket();
            }
            case RESET_WRAP_MODE -> ack(() -> wrapMode = false);
            case SET_WRAP_MODE -> ack(() -> wrapMode = true);
            case SET_REMOTE_MODE -> ack(() -> remoteMode = true);
            case GET_DEVICE_ID -> {
                respond(ACK);
                respond(deviceId);
            }
            case ENABLE_REPORTING -> ack(() -> reporting = true);
            case DISABLE_REPORTING -> ack(() -> reporting = false);
            case SET_DEFAULTS -> ack(this::setDefaults);
            case CMD_RESEND -> output.add(lastSent);
            case RESET -> {
                setDefaults();
                wrapMode = false;
                remoteMode = false;
                deviceId = ID_STANDARD;
                output.clear();
                respond(ACK);
                respond(BAT_COMPLETE);
                respond(deviceId);
            }
            default -> respond(RESEND);
        }
    }

    private void parameter(int command, int value) {
        if (command == SET_RESOLUTION) {
            resolution = value & 3;
        } else {
            sampleRate = value;
            recentSampleRates[0] = recentSampleRates[1];
            recentSampleRates[1] = recentSampleRates[2];
            recentSampleRates[2] = value;
            if (Arrays.equals(recentSampleRates, INTELLIMOUSE_KNOCK)) {
                deviceId = ID_INTELLIMOUSE;
            }
        }
        respond(ACK);
    }

    private void ack(Runnable action) {
        action.run();
        pendingX = pendingY = pendingZ = 0; // every command clears the motion counters
        respond(ACK);
    }

    /** Set Defaults: 100 samples/s, 4 counts/mm, 1:1 scaling, reporting disabled. */
    private void setDefaults() {
        sampleRate = DEFAULT_SAMPLE_RATE;
        resolution = DEFAULT_RESOLUTION;
        scaling21 = false;
        reporting = false;
        pendingX = pendingY = pendingZ = 0;
    }

    private void respond(int value) {
        lastSent = value & 0xFF;
        output.add(value);
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        output.save(out);
        int[] ints = {awaitingParameterFor, sampleRate, resolution, deviceId, buttons, pendingX, pendingY, pendingZ,
            lastSent, recentSampleRates[0], recentSampleRates[1], recentSampleRates[2]};
        for (int v : ints) out.writeInt(v);
        boolean[] flags = {remoteMode, wrapMode, reporting, scaling21};
        for (boolean f : flags) out.writeBoolean(f);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("PS/2 mouse: unsupported state version " + version);
        }
        output.restore(in);
        awaitingParameterFor = in.readInt();
        sampleRate = in.readInt();
        resolution = in.readInt();
        deviceId = in.readInt();
        buttons = in.readInt();
        pendingX = in.readInt();
        pendingY = in.readInt();
        pendingZ = in.readInt();
        lastSent = in.readInt();
        for (int i = 0; i < 3; i++) recentSampleRates[i] = in.readInt();
        remoteMode = in.readBoolean();
        wrapMode = in.readBoolean();
        reporting = in.readBoolean();
        scaling21 = in.readBoolean();
    }
}
