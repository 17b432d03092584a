package org.vstation.devices.timer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * Port 0x61, "NMI Status and Control" of the PIIX3 (PC/AT system control port B).
 * Follows the PIIX3 datasheet, register NMISC: PIT counter 2 gate and OUT, speaker enable, refresh toggle.
 *
 * <p>Bits 0-3 are read/write; bits 4-7 are status. Firmware and kernels time
 * short delays by polling counter 2's OUT (bit 5) or the refresh toggle (bit 4).
 */
public final class SystemControlPortB implements IoDevice, Snapshottable {
    public static final int PORT = 0x61;

    public static final int TIMER2_GATE = 0x01;
    public static final int SPEAKER_DATA_ENABLE = 0x02;
    public static final int PCI_SERR_DISABLE = 0x04;
    public static final int IOCHK_DISABLE = 0x08;
    public static final int REFRESH_TOGGLE = 0x10;
    public static final int TIMER2_OUT = 0x20;
    private static final int WRITABLE = 0x0F;
    /** A DRAM refresh request every 18 PIT input clocks (15.085 us), as counter 1 is set up on the PC/AT. */
    private static final int TICKS_PER_REFRESH = 18;

    private final Pit8254 pit;
    private int control;

    public SystemControlPortB(Pit8254 pit) {
        this.pit = pit;
    }

    @Override
    public String name() {
        return "system control port B (NMI status and control)";
    }

    /** True while the speaker is driven by counter 2 (gate and speaker data both on). */
    public boolean speakerEnabled() {
        return (control & (TIMER2_GATE | SPEAKER_DATA_ENABLE)) == (TIMER2_GATE | SPEAKER_DATA_ENABLE);
    }

    /** System reset: speaker off, counter 2 gate low, NMI sources enabled. */
    public void reset() {
        ioWrite(0, 1, 0);
    }

    @Override
    public int ioRead(int offset, int size) {
        int value = control;
        if (pit.output(2)) value |= TIMER2_OUT;
        if (((pit.inputClockTicks() / TICKS_PER_REFRESH) & 1) != 0) value |= REFRESH_TOGGLE;
        return value;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        control = value & WRITABLE;
        pit.setGate(2, (control & TIMER2_GATE) != 0);
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        out.writeInt(control);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("port 0x61: unsupported state version " + version);
        }
        control = in.readInt() & WRITABLE;
    }
}
