package org.vstation.devices.ide;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.irq.InterruptRouter;
import org.vstation.devices.pci.PciDevice;

/*
 * Intel 82371SB PIIX3 IDE interface (function 1 of the PIIX3, PCI 00:01.1, 8086:7010).
 * Follows the Intel 82371FB (PIIX) and 82371SB (PIIX3) datasheet (order 290550-002), 2.3 and 2.7.
 */

/**
 * The PIIX3's IDE function: two channels in legacy ("compatibility") mode at
 * the fixed ISA ports and IRQs, and the bus-master DMA registers in BAR4. A
 * channel's ports decode when the function's I/O space is enabled and its
 * IDETIM register has the IDE decode enable bit set, as the firmware does.
 */
public final class Piix3Ide extends PciDevice {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_82371SB_IDE = 0x7010;
    /** Mass storage, IDE, programming interface 80h: legacy mode on both channels, bus master capable. */
    public static final int CLASS_IDE_BUS_MASTER = 0x01_01_80;
    public static final int PCI_FUNCTION = 1;

    public static final int PRIMARY_COMMAND_PORT = 0x1F0;
    public static final int PRIMARY_CONTROL_PORT = 0x3F6;
    public static final int PRIMARY_IRQ = 14;
    public static final int SECONDARY_COMMAND_PORT = 0x170;
    public static final int SECONDARY_CONTROL_PORT = 0x376;
    public static final int SECONDARY_IRQ = 15;

    // Configuration registers (datasheet 2.3).
    public static final int BMIBA_BAR = 4;
    public static final int IDETIM_PRIMARY = 0x40;
    public static final int IDETIM_SECONDARY = 0x42;
    public static final int SIDETIM = 0x44;
    /** IDETIM bit 15: the channel's legacy ports decode. */
    public static final int IDETIM_DECODE_ENABLE = 0x8000;
    private static final int BUS_MASTER_PORTS = 16;

    private final IoPortBus ioBus;
    private final IdeChannel primary;
    private final IdeChannel secondary;
    private final boolean[] decoding = new boolean[2];

    public Piix3Ide(IoPortBus ioBus, PhysicalMemory memory, EventQueue events, InterruptRouter isaIrqs) {
        super("PIIX3 IDE", VENDOR_INTEL, DEVICE_82371SB_IDE, 0x00, CLASS_IDE_BUS_MASTER);
        this.ioBus = ioBus;
        primary = new IdeChannel("IDE primary", isaIrqs.line(PRIMARY_IRQ), memory, events);
        secondary = new IdeChannel("IDE secondary", isaIrqs.line(SECONDARY_IRQ), memory, events);
        primary.setBusMasterEnabled(this::isBusMaster);
        secondary.setBusMasterEnabled(this::isBusMaster);
        setWritable(IDETIM_PRIMARY, 2, 0xFFFF);
        setWritable(IDETIM_SECONDARY, 2, 0xFFFF);
        setWritable(SIDETIM, 1, 0xFF);
        defineIoBar(BMIBA_BAR, BUS_MASTER_PORTS, IoDevice.of("PIIX3 IDE bus master",
                (offset, size) -> channelAt(offset).busMaster().ioRead(offset & 7, size),
                (offset, size, value) -> channelAt(offset).busMaster().ioWrite(offset & 7, size, value)));
    }

    private IdeChannel channelAt(int busMasterOffset) {
        return busMasterOffset < IdeChannel.BM_PORTS ? primary : secondary;
    }

    public IdeChannel primary() {
        return primary;
    }

    public IdeChannel secondary() {
        return secondary;
    }

    /** Hardware reset: timing registers to their defaults (decode off), channels and devices reset. */
    public void reset() {
        putConfig(IDETIM_PRIMARY, 2, 0);
        putConfig(IDETIM_SECONDARY, 2, 0);
        putConfig(SIDETIM, 1, 0);
        putConfig(BAR0 + 4 * BMIBA_BAR, 4, 1);
        configWrite(COMMAND, 2, 0); // through the bus, so it takes down the windows and the legacy ports
        primary.reset();
        secondary.reset();
    }

    @Override
    protected void configWritten(int offset, int size) {
        updateLegacyDecode();
    }

    private void updateLegacyDecode() {
        boolean ioEnabled = (getConfig(COMMAND, 2) & COMMAND_IO_SPACE) != 0;
        place(0, primary, ioEnabled && (getConfig(IDETIM_PRIMARY, 2) & IDETIM_DECODE_ENABLE) != 0,
                PRIMARY_COMMAND_PORT, PRIMARY_CONTROL_PORT);
        place(1, secondary, ioEnabled && (getConfig(IDETIM_SECONDARY, 2) & IDETIM_DECODE_ENABLE) != 0,
                SECONDARY_COMMAND_PORT, SECONDARY_CONTROL_PORT);
    }

    private void place(int index, IdeChannel channel, boolean decode, int commandPort, int controlPort) {
        if (decode == decoding[index]) {
            return;
        }
        decoding[index] = decode;
        if (decode) {
            ioBus.place(channel.commandBlock(), commandPort, IdeChannel.COMMAND_BLOCK_PORTS);
            ioBus.place(channel.controlBlock(), controlPort, 1);
        } else {
            ioBus.remove(channel.commandBlock(), commandPort, IdeChannel.COMMAND_BLOCK_PORTS);
            ioBus.remove(channel.controlBlock(), controlPort, 1);
        }
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        primary.saveState(out);
        secondary.saveState(out);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        primary.restoreState(in);
        secondary.restoreState(in);
        updateLegacyDecode();
    }
}
