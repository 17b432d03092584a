package org.vstation.devices.chipset;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Consumer;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.irq.InterruptRouter;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.pci.PciDevice;
import org.vstation.devices.pci.PirqRouter;

/*
 * Intel 82371SB PIIX3 PCI-to-ISA bridge (function 0, PCI 00:01.0).
 * Follows the Intel 82371FB (PIIX) and 82371SB (PIIX3) datasheet (order 290550-002), 2.2, 4.1.
 */

/**
 * The PIIX3's ISA bridge function: steers PCI interrupts PIRQ A-D to ISA IRQs
 * (PIRQRC registers), programs the 8259s' edge/level selection (ELCR at
 * 0x4D0/0x4D1), and provides port 92h (fast A20 gate and fast CPU init) and the
 * reset control register at 0xCF9. A20, CPU init and system reset go to
 * callbacks the machine wires.
 */
public final class Piix3IsaBridge extends PciDevice implements PirqRouter {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_82371SB_ISA = 0x7000;
    public static final int CLASS_ISA_BRIDGE = 0x06_01_00;
    /** The PIIX3 sits at device 1 of bus 0 on the i440FX board, function 0 being this bridge. */
    public static final int PCI_DEVICE_NUMBER = 1;

    // Configuration registers (datasheet 2.2).
    public static final int IORT = 0x4C;
    public static final int XBCS = 0x4E;
    public static final int PIRQRC_A = 0x60;
    public static final int TOM = 0x69;
    public static final int MSTAT = 0x6A;
    public static final int MBIRQ0 = 0x70;
    public static final int MBDMA0 = 0x76;
    public static final int APICBASE = 0x80;
    public static final int DLC = 0x82;
    public static final int SMICNTL = 0xA0;
    public static final int SMIEN = 0xA2;
    public static final int SEE = 0xA4;
    public static final int FTMR = 0xA8;
    public static final int SMIREQ = 0xAA;

    /** PIRQRC bit 7: routing of this PIRQ to an ISA IRQ is disabled. */
    public static final int PIRQRC_DISABLE = 0x80;
    /** ISA IRQs a PIRQ may be steered to: 3-7, 9-12, 14, 15 (datasheet 2.2.8). */
    private static final int ROUTABLE_IRQS = 0b1101_1110_1111_1000;

    // I/O registers.
    public static final int ELCR1_PORT = 0x4D0;
    public static final int PORT_92 = 0x92;
    /** Reset control: the byte at 0xCF9, reached through the PCI bus's address port. */
    public static final int RESET_CONTROL_OFFSET = 1;

    /** ELCR bits that are reserved: IRQ 0, 1, 2, 8 and 13 are always edge triggered. */
    private static final int ELCR_WRITABLE = 0b1101_1110_1111_1000;

    public static final int PORT92_FAST_INIT = 0x01;
    public static final int PORT92_A20_GATE = 0x02;
    public static final int RC_SYSTEM_RESET = 0x02;
    public static final int RC_RESET_CPU = 0x04;

    private final InterruptRouter isaIrqs;
    private final TriggerModeControl triggerModes;
    private final boolean[] pirqAsserted = new boolean[4];
    /** The ISA IRQs this bridge currently drives high, one bit per IRQ. */
    private int drivenIrqs;
    private int elcr;
    private int port92;
    private int resetControl;
    private Consumer<Boolean> a20Gate = enabled -> { };
    private Runnable cpuInit = () -> { };
    private Runnable systemReset = () -> { };

    public Piix3IsaBridge(InterruptRouter isaIrqs, TriggerModeControl triggerModes) {
        super("PIIX3 ISA bridge", VENDOR_INTEL, DEVICE_82371SB_ISA, 0x00, CLASS_ISA_BRIDGE);
        this.isaIrqs = isaIrqs;
        this.triggerModes = triggerModes;
        setSubsystem(I440fxHostBridge.QEMU_SUBSYSTEM_VENDOR, I440fxHostBridge.QEMU_SUBSYSTEM_ID);
        setWritable(IORT, 1, 0x7F);
        setWritable(XBCS, 2, 0x07FF);
        setWritable(PIRQRC_A, 4, 0x8F8F_8F8F);
        setWritable(TOM, 1, 0xFE);
        setWritable(MSTAT, 2, 0x0080);
        setWritable(MBIRQ0, 1, 0xCF);
        setWritable(MBDMA0, 2, 0x8787);
        setWritable(APICBASE, 1, 0x7F);
        setWritable(DLC, 1, 0x0F);
        setWritable(SMICNTL, 1, 0x1F);
        setWritable(SMIEN, 2, 0x00FF);
        setWritable(SEE, 4, 0xE000_FFFF);
        setWritable(FTMR, 1, 0xFF);
        setWritable(SMIREQ, 2, 0x00FF);
        reset();
    }

    /** Plugs the bridge in at 00:01.0 and claims its ports: ELCR, port 92h, the PIRQ wires and 0xCF9. */
    public void connect(PciBus pciBus, IoPortBus ioBus) {
        pciBus.attach(PCI_DEVICE_NUMBER, 0, this);
        pciBus.setPirqRouter(this);
        pciBus.setByteAccessAtAddressPort(IoDevice.of("PIIX3 reset control (0xCF9)",
                this::readResetControl, this::writeResetControl));
        ioBus.place(IoDevice.of("PIIX3 ELCR", this::readElcr, this::writeElcr), ELCR1_PORT, 2);
        ioBus.place(IoDevice.of("PIIX3 port 92h", (offset, size) -> port92, this::writePort92), PORT_92, 1);
    }

    public void setA20GateListener(Consumer<Boolean> listener) {
        a20Gate = listener;
    }

    /** Port 92h fast init and soft resets through 0xCF9: INIT to the processor, memory kept. */
    public void setCpuInitListener(Runnable listener) {
        cpuInit = listener;
    }

    /** Hard reset through 0xCF9: the whole system. */
    public void setSystemResetListener(Runnable listener) {
        systemReset = listener;
    }

    /** Power-on values (datasheet 2.2): routing disabled, every IRQ edge triggered, A20 gate off. */
    public void reset() {
        putConfig(IORT, 1, 0x4D);
        putConfig(XBCS, 2, 0x0003);
        putConfig(PIRQRC_A, 4, 0x8080_8080);
        putConfig(TOM, 1, 0x02);
        putConfig(MSTAT, 2, 0x0000);
        putConfig(MBIRQ0, 1, 0x80);
        putConfig(MBDMA0, 2, 0x0404);
        putConfig(APICBASE, 1, 0x00);
        putConfig(DLC, 1, 0x00);
        putConfig(SMICNTL, 1, 0x08);
        putConfig(SMIEN, 2, 0x0000);
        putConfig(SEE, 4, 0x0000_0000);
        putConfig(FTMR, 1, 0x0F);
        putConfig(SMIREQ, 2, 0x0000);
        elcr = 0;
        triggerModes.setLevelTriggeredIrqs(0);
        port92 = 0;
        resetControl = 0;
        a20Gate.accept(false);
        updateIsaIrqs();
    }

    /** The A20 gate as port 92h holds it (the machine ORs it with the 8042's). */
    public boolean isA20GateEnabled() {
        return (port92 & PORT92_A20_GATE) != 0;
    }

    // ---- PIRQ routing --------------------------------------------------------------------

    @Override
    public void setPirqLevel(int pirq, boolean high) {
        pirqAsserted[pirq] = high;
        updateIsaIrqs();
    }

    @Override
    protected void configWritten(int offset, int size) {
        if (offset < PIRQRC_A + 4 && offset + size > PIRQRC_A) {
            updateIsaIrqs();
        }
    }

    /** The ISA IRQ a PIRQ is steered to, or -1 when routing is disabled or the IRQ is reserved. */
    public int routedIrq(int pirq) {
        int control = getConfig(PIRQRC_A + pirq, 1);
        int irq = control & 0x0F;
        if ((control & PIRQRC_DISABLE) != 0 || (ROUTABLE_IRQS & (1 << irq)) == 0) {
            return -1;
        }
        return irq;
    }

    /** PIRQs sharing an ISA IRQ are wire-ORed (they are active-low open-drain lines, inverted by the PIIX3). */
    private void updateIsaIrqs() {
        int wanted = 0;
        for (int pirq = 0; pirq < 4; pirq++) {
            int irq = routedIrq(pirq);
            if (pirqAsserted[pirq] && irq >= 0) {
                wanted |= 1 << irq;
            }
        }
        int changed = wanted ^ drivenIrqs;
        drivenIrqs = wanted;
        for (int irq = 0; irq < 16; irq++) {
            if ((changed & (1 << irq)) != 0) {
                isaIrqs.line(irq).setLevel((wanted & (1 << irq)) != 0);
            }
        }
    }

    // ---- ELCR, port 92h, reset control --------------------------------------------------------

    private int readElcr(int offset, int size) {
        return (elcr >>> (8 * offset)) & (size == 1 ? 0xFF : 0xFFFF);
    }

    private void writeElcr(int offset, int size, int value) {
        int shifted = value << (8 * offset);
        int touched = (size == 1 ? 0xFF : 0xFFFF) << (8 * offset);
        elcr = ((elcr & ~touched) | (shifted & touched)) & ELCR_WRITABLE;
        triggerModes.setLevelTriggeredIrqs(elcr);
    }

    private void writePort92(int offset, int size, int value) {
        int before = port92;
        port92 = value & (PORT92_FAST_INIT | PORT92_A20_GATE);
        if (((before ^ port92) & PORT92_A20_GATE) != 0) {
            a20Gate.accept(isA20GateEnabled());
        }
        if ((before & PORT92_FAST_INIT) == 0 && (port92 & PORT92_FAST_INIT) != 0) {
            cpuInit.run(); // datasheet 4.1.1: a 0-to-1 transition pulses INIT
        }
    }

    private int readResetControl(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= (offset + i == RESET_CONTROL_OFFSET ? resetControl : 0xFF) << (8 * i);
        }
        return value;
    }

    /** Datasheet 4.1.3: RCPU going 0 to 1 resets the system if SRST is set, else just the processor. */
    private void writeResetControl(int offset, int size, int value) {
        int index = RESET_CONTROL_OFFSET - offset;
        if (index < 0 || index >= size) {
            return;
        }
        int before = resetControl;
        resetControl = (value >>> (8 * index)) & (RC_SYSTEM_RESET | RC_RESET_CPU);
        if ((before & RC_RESET_CPU) == 0 && (resetControl & RC_RESET_CPU) != 0) {
            boolean hard = (resetControl & RC_SYSTEM_RESET) != 0;
            resetControl &= ~RC_RESET_CPU;
            if (hard) {
                systemReset.run();
            } else {
                cpuInit.run();
            }
        }
    }

    // ---- snapshots ------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        out.writeInt(1);
        for (boolean asserted : pirqAsserted) {
            out.writeBoolean(asserted);
        }
        out.writeInt(drivenIrqs);
        out.writeInt(elcr);
        out.writeInt(port92);
        out.writeInt(resetControl);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name() + ": unsupported state version " + version);
        }
        for (int pirq = 0; pirq < 4; pirq++) {
            pirqAsserted[pirq] = in.readBoolean();
        }
        drivenIrqs = in.readInt();
        elcr = in.readInt();
        port92 = in.readInt();
        resetControl = in.readInt();
        triggerModes.setLevelTriggeredIrqs(elcr); // the PIC restores its own input levels
        a20Gate.accept(isA20GateEnabled());
    }
}
