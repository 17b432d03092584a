package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.pci.PciDevice;

/**
 * A PIIX3 IDE function on a PCI bus with RAM, a manual clock and recorded
 * IRQ 14/15 levels, driven the way a driver does: port reads and writes,
 * with time advanced explicitly.
 */
final class IdeTestBench {
    static final int BUS_MASTER_BASE = 0xC000;
    static final int PRIMARY = 0x1F0;
    static final int PRIMARY_CONTROL = 0x3F6;
    static final int SECONDARY = 0x170;
    static final int SECONDARY_CONTROL = 0x376;

    final long[] now = {0};
    final EventQueue events = new EventQueue(() -> now[0]);
    final PhysicalMemory memory = new PhysicalMemory(4 << 20);
    final IoPortBus io = new IoPortBus();
    final PciBus pci = new PciBus(io, memory);
    final boolean[] irqLevel = new boolean[16];
    final int[] irqRises = new int[16];
    final Piix3Ide ide;

    IdeTestBench() {
        ide = new Piix3Ide(io, memory, events, irq -> high -> {
            if (high && !irqLevel[irq]) {
                irqRises[irq]++;
            }
            irqLevel[irq] = high;
        });
        pci.attach(1, Piix3Ide.PCI_FUNCTION, ide);
    }

    /** What SeaBIOS does: BAR4, I/O and bus master enable, IDE decode on both channels. */
    IdeTestBench enable() {
        config(PciDevice.BAR0 + 16, 4, BUS_MASTER_BASE);
        config(Piix3Ide.IDETIM_PRIMARY, 2, Piix3Ide.IDETIM_DECODE_ENABLE);
        config(Piix3Ide.IDETIM_SECONDARY, 2, Piix3Ide.IDETIM_DECODE_ENABLE);
        config(PciDevice.COMMAND, 2, PciDevice.COMMAND_IO_SPACE | PciDevice.COMMAND_BUS_MASTER);
        return this;
    }

    void config(int offset, int size, int value) {
        io.write(PciBus.CONFIG_ADDRESS_PORT, 4, 0x8000_0000 | 1 << 11 | Piix3Ide.PCI_FUNCTION << 8 | offset & 0xFC);
        io.write(PciBus.CONFIG_DATA_PORT + (offset & 3), size, value);
    }

    int readConfig(int offset, int size) {
        io.write(PciBus.CONFIG_ADDRESS_PORT, 4, 0x8000_0000 | 1 << 11 | Piix3Ide.PCI_FUNCTION << 8 | offset & 0xFC);
        return io.read(PciBus.CONFIG_DATA_PORT + (offset & 3), size);
    }

    int in8(int port) {
        return io.read(port, 1);
    }

    int in16(int port) {
        return io.read(port, 2);
    }

    void out8(int port, int value) {
        io.write(port, 1, value);
    }

    void out16(int port, int value) {
        io.write(port, 2, value);
    }

    /** Moves guest time forward in small steps, running timers as they come due. */
    void advance(long nanos) {
        long end = now[0] + nanos;
        while (now[0] < end) {
            now[0] = Math.min(end, now[0] + 5_000);
            events.runDue();
        }
    }

    /** Lets the device work until BSY is clear (alternate status, so no interrupt is acknowledged). */
    int waitNotBusy(int base) {
        int control = base == PRIMARY ? PRIMARY_CONTROL : SECONDARY_CONTROL;
        for (int i = 0; i < 1000; i++) {
            int status = in8(control);
            if ((status & IdeDevice.STATUS_BSY) == 0) {
                return status;
            }
            advance(10_000);
        }
        throw new AssertionError("device at " + Integer.toHexString(base) + " stayed busy");
    }

    /** Issues a command to the selected device and waits for it to leave BSY. */
    int command(int base, int command) {
        out8(base + IdeChannel.REG_COMMAND, command);
        assertTrue((in8(base == PRIMARY ? PRIMARY_CONTROL : SECONDARY_CONTROL) & IdeDevice.STATUS_BSY) != 0,
                "BSY right after the command");
        return waitNotBusy(base);
    }

    void select(int base, int unit) {
        out8(base + IdeChannel.REG_DEVICE, 0xA0 | unit << 4);
    }

    /** Sets LBA28 address and count on the selected device. */
    void lba28(int base, int unit, long lba, int count) {
        out8(base + IdeChannel.REG_DEVICE, 0xE0 | unit << 4 | (int) (lba >>> 24) & 0x0F);
        out8(base + IdeChannel.REG_SECTOR_COUNT, count);
        out8(base + IdeChannel.REG_LBA_LOW, (int) lba);
        out8(base + IdeChannel.REG_LBA_MID, (int) (lba >>> 8));
        out8(base + IdeChannel.REG_LBA_HIGH, (int) (lba >>> 16));
    }

    void lba48(int base, int unit, long lba, int count) {
        out8(base + IdeChannel.REG_DEVICE, 0x40 | unit << 4);
        out8(base + IdeChannel.REG_SECTOR_COUNT, count >>> 8);
        out8(base + IdeChannel.REG_LBA_LOW, (int) (lba >>> 24));
        out8(base + IdeChannel.REG_LBA_MID, (int) (lba >>> 32));
        out8(base + IdeChannel.REG_LBA_HIGH, (int) (lba >>> 40));
        out8(base + IdeChannel.REG_SECTOR_COUNT, count);
        out8(base + IdeChannel.REG_LBA_LOW, (int) lba);
        out8(base + IdeChannel.REG_LBA_MID, (int) (lba >>> 8));
        out8(base + IdeChannel.REG_LBA_HIGH, (int) (lba >>> 16));
    }

    /** Reads {@code bytes} from the data port, 16 bits at a time. */
    byte[] readData(int base, int bytes) {
        byte[] data = new byte[bytes + 1];
        for (int i = 0; i < bytes; i += 2) {
            int word = in16(base);
            data[i] = (byte) word;
            data[i + 1] = (byte) (word >>> 8);
        }
        return Arrays.copyOf(data, bytes);
    }

    void writeData(int base, byte[] data, int offset, int length) {
        for (int i = 0; i < length; i += 2) {
            out16(base, data[offset + i] & 0xFF | (data[offset + i + 1] & 0xFF) << 8);
        }
    }

    /** A one-entry-per-region PRD table at {@code table} describing {@code regions} (address, length pairs). */
    void prdTable(int table, int... regions) {
        for (int i = 0; i < regions.length; i += 2) {
            memory.write32(table + 4L * i, regions[i]);
            boolean last = i + 2 >= regions.length;
            memory.write32(table + 4L * i + 4, (regions[i + 1] & 0xFFFF) | (last ? 0x8000_0000 : 0));
        }
    }

    /** Starts the channel's bus master on {@code table}; {@code toMemory} for device-to-memory transfers. */
    void startDma(int channel, int table, boolean toMemory) {
        int base = BUS_MASTER_BASE + 8 * channel;
        io.write(base + IdeChannel.BM_STATUS, 1, IdeChannel.BM_STATUS_INTERRUPT | IdeChannel.BM_STATUS_ERROR);
        io.write(base + IdeChannel.BM_PRD_TABLE, 4, table);
        io.write(base + IdeChannel.BM_COMMAND, 1,
                (toMemory ? IdeChannel.BM_COMMAND_WRITE_MEMORY : 0) | IdeChannel.BM_COMMAND_START);
    }

    int busMasterStatus(int channel) {
        return in8(BUS_MASTER_BASE + 8 * channel + IdeChannel.BM_STATUS);
    }

    void stopDma(int channel) {
        io.write(BUS_MASTER_BASE + 8 * channel + IdeChannel.BM_COMMAND, 1, 0);
    }

    static void assertStatus(int expected, int actual, String what) {
        assertEquals(Integer.toHexString(expected), Integer.toHexString(actual), what);
    }
}
