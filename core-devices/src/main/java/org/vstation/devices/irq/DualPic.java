package org.vstation.devices.irq;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Consumer;
import org.vstation.cpu.bus.InterruptController;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * The PC/AT pair of 8259A controllers: the master at 0x20/0x21 with the
 * slave's INT on its IR2, the slave at 0xA0/0xA1 (Intel 8259A datasheet, "Cascade Mode"; PIIX3 datasheet 2.7).
 *
 * <p>ISA IRQ n is master IR n for n &lt; 8 and slave IR n-8 otherwise; IRQ 2
 * has no pin of its own on an AT bus (its ISA pin is IRQ 9), so
 * {@link #line(int) line(2)} drives IRQ 9. The master's INT output reaches
 * the CPU through the callback given to {@link #connectCpu}. Edge or level
 * per input is the PIIX3 ELCR ({@link #setElcr}, {@link #setLevelTriggered}),
 * whose ports 0x4D0/0x4D1 the PIIX3 model owns.
 */
public final class DualPic implements InterruptController, InterruptRouter, Snapshottable {
    public static final int MASTER_PORT = 0x20;
    public static final int SLAVE_PORT = 0xA0;
    public static final int PORT_COUNT = 2;
    public static final int CASCADE_IR = 2;
    private static final int SPURIOUS_IR = 7;
    /** ELCR bits the PIIX3 hard-wires to edge: IRQ 0, 1, 2, 8 and 13 (PIIX3 datasheet, ELCR1/ELCR2). */
    private static final int ELCR_WRITABLE = 0xDEF8;

    private final Pic8259 master = new Pic8259("8259A master PIC", CASCADE_IR);
    private final Pic8259 slave = new Pic8259("8259A slave PIC", -1);
    private final InterruptLine[] lines = new InterruptLine[16];
    private final Runnable[] acknowledgeListeners = new Runnable[16];

    public DualPic() {
        slave.connectOutput(level -> master.setInput(CASCADE_IR, level));
        for (int irq = 0; irq < 16; irq++) {
            int wired = irq == CASCADE_IR ? 9 : irq;
            Pic8259 chip = wired < 8 ? master : slave;
            int ir = wired & 7;
            lines[irq] = high -> chip.setInput(ir, high);
        }
    }

    /** Where INTR goes; the machine passes {@code processor::setInterruptRequest}. */
    public void connectCpu(Consumer<Boolean> intr) {
        master.connectOutput(intr);
        intr.accept(master.output());
    }

    /** The master's two ports, to place at {@link #MASTER_PORT}. */
    public Pic8259 master() {
        return master;
    }

    /** The slave's two ports, to place at {@link #SLAVE_PORT}. */
    public Pic8259 slave() {
        return slave;
    }

    @Override
    public InterruptLine line(int irq) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("ISA IRQ must be 0-15, got " + irq);
        }
        return lines[irq];
    }

    /** True while INTR is asserted. */
    public boolean interruptRequested() {
        return master.output();
    }

    @Override
    public int acknowledgeInterrupt() {
        int ir = master.pendingRequest();
        if (ir < 0) {
            // The request went away before INTA: the 8259A answers with IR7 and sets no ISR bit.
            return master.vectorBase() + SPURIOUS_IR;
        }
        master.acknowledge(ir);
        if (!master.isSlaveAttachedAt(ir)) {
            notifyAcknowledged(ir);
            return master.vectorBase() + ir;
        }
        int slaveIr = slave.pendingRequest();
        if (slaveIr < 0) {
            return slave.vectorBase() + SPURIOUS_IR; // spurious IRQ 15; the master keeps IR2 in service
        }
        slave.acknowledge(slaveIr);
        notifyAcknowledged(8 + slaveIr);
        return slave.vectorBase() + slaveIr;
    }

    /** Tells a device when INTA hands its IRQ to the CPU (the PIT uses it to send ticks it owes). */
    public void setAcknowledgeListener(int irq, Runnable listener) {
        acknowledgeListeners[irq] = listener;
    }

    /** True while the IRQ's request is latched in IRR, waiting for INTA. */
    public boolean isRequestLatched(int irq) {
        int wired = irq == CASCADE_IR ? 9 : irq;
        return ((wired < 8 ? master.irr() : slave.irr()) & 1 << (wired & 7)) != 0;
    }

    private void notifyAcknowledged(int irq) {
        Runnable listener = acknowledgeListeners[irq];
        if (listener != null) listener.run();
    }

    /** System reset: both chips uninitialised; the firmware programs them again. */
    public void reset() {
        slave.reset();
        master.reset();
    }

    // ---- ELCR (PIIX3 ports 0x4D0 and 0x4D1) -----------------------------------------

    /** Edge (false) or level (true) for one ISA IRQ; the bits the PIIX3 hard-wires to edge stay edge. */
    public void setLevelTriggered(int irq, boolean level) {
        int elcr = elcr();
        elcr = level ? elcr | 1 << irq : elcr & ~(1 << irq);
        setElcr(elcr);
    }

    public boolean isLevelTriggered(int irq) {
        return (elcr() & 1 << irq) != 0;
    }

    /** ELCR1 | ELCR2 << 8, as read from ports 0x4D0 and 0x4D1. */
    public int elcr() {
        return master.levelTriggeredMask() | slave.levelTriggeredMask() << 8;
    }

    /** Writes ELCR1 (low byte) and ELCR2 (high byte); reserved bits stay 0. */
    public void setElcr(int value) {
        value &= ELCR_WRITABLE;
        slave.setLevelTriggeredMask(value >>> 8);
        master.setLevelTriggeredMask(value & 0xFF);
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        slave.saveState(out);
        master.saveState(out);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("8259A pair: unsupported state version " + version);
        }
        slave.restoreState(in);
        master.restoreState(in);
    }
}
