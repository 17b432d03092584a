package org.vstation.devices.chipset;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.irq.InterruptLine;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * The PC/AT coprocessor error logic of the PIIX3: the processor's FERR# drives IRQ 13, and a write to port F0h
 * releases IRQ 13 and asserts IGNNE# until FERR# goes away. Follows the PIIX3 datasheet ("Coprocessor Error",
 * port 00F0h) and Intel SDM vol. 1, appendix D (MS-DOS compatibility mode, CR0.NE = 0).
 */
public final class CoprocessorErrorLatch implements IoDevice, Snapshottable {
    public static final int PORT = 0xF0;
    public static final int IRQ = 13;
    private static final int SNAPSHOT_VERSION = 1;

    private final InterruptLine irq13;
    private boolean ferr;
    private boolean ignoringErrors;

    public CoprocessorErrorLatch(InterruptLine irq13) {
        this.irq13 = irq13;
    }

    @Override
    public String name() {
        return "coprocessor error (FERR#/IGNNE#)";
    }

    /** The processor's FERR# output. Its release also ends IGNNE#. */
    public void setFerr(boolean asserted) {
        ferr = asserted;
        if (!asserted) {
            ignoringErrors = false;
        }
        irq13.setLevel(ferr && !ignoringErrors);
    }

    /** IGNNE#, as the processor would sample it. */
    public boolean ignoringErrors() {
        return ignoringErrors;
    }

    public void reset() {
        ferr = false;
        ignoringErrors = false;
        irq13.lower();
    }

    /** Reads of port F0h return nothing the chipset drives. */
    @Override
    public int ioRead(int offset, int size) {
        return 0xFF;
    }

    /** Any write clears the IRQ 13 latch; IGNNE# holds while FERR# is still asserted. */
    @Override
    public void ioWrite(int offset, int size, int value) {
        ignoringErrors = ferr;
        irq13.lower();
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(SNAPSHOT_VERSION);
        out.writeBoolean(ferr);
        out.writeBoolean(ignoringErrors);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != SNAPSHOT_VERSION) {
            throw new IOException("coprocessor error latch snapshot version " + version + " is not supported");
        }
        ferr = in.readBoolean();
        ignoringErrors = in.readBoolean();
        irq13.setLevel(ferr && !ignoringErrors);
    }
}
