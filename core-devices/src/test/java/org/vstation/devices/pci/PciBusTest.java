package org.vstation.devices.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.MemoryMappedDevice;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.bus.IoPortBus;

/** Configuration mechanism #1 as firmware uses it: probe, size BARs, place them, route INTx. */
class PciBusTest {
    private final IoPortBus io = new IoPortBus();
    private final PhysicalMemory memory = new PhysicalMemory(16 << 20);
    private final PciBus bus = new PciBus(io, memory);
    private final List<String> pirqChanges = new ArrayList<>();

    static final class TestFunction extends PciDevice {
        TestFunction() {
            super("test NIC", 0x10EC, 0x8139, 0x10, 0x020000);
            setInterruptPin(1);
            defineIoBar(0, 256, IoDevice.of("test NIC I/O", (offset, size) -> 0x40 + offset, (o, s, v) -> { }));
            defineMemoryBar(1, 4096, false, new MemoryMappedDevice() {
                @Override public String name() { return "test NIC MMIO"; }
                @Override public int read(long offset, int size) { return (int) offset | 0x100; }
                @Override public void write(long offset, int size, int value) { }
            });
        }

        void interrupt(boolean level) {
            setInterruptLevel(level);
        }
    }

    private int configRead(int device, int function, int register, int size) {
        io.write(PciBus.CONFIG_ADDRESS_PORT, 4, 0x8000_0000 | device << 11 | function << 8 | (register & 0xFC));
        return io.read(PciBus.CONFIG_DATA_PORT + (register & 3), size);
    }

    private void configWrite(int device, int function, int register, int size, int value) {
        io.write(PciBus.CONFIG_ADDRESS_PORT, 4, 0x8000_0000 | device << 11 | function << 8 | (register & 0xFC));
        io.write(PciBus.CONFIG_DATA_PORT + (register & 3), size, value);
    }

    @Test
    void probingFindsIdsAndEmptySlotsReadAllOnes() {
        bus.attach(3, 0, new TestFunction());
        assertEquals(0x813910EC, configRead(3, 0, 0, 4));
        assertEquals(0x8139, configRead(3, 0, 2, 2));
        assertEquals(0x02, configRead(3, 0, 0x0B, 1), "class code: network controller");
        assertEquals(0xFFFFFFFF, configRead(4, 0, 0, 4));
    }

    @Test
    void configAddressReadsBackAndByteAccessIsNotAConfigCycle() {
        io.write(0xCF8, 4, 0x8000_1810);
        assertEquals(0x8000_1810, io.read(0xCF8, 4));
        io.write(0xCF9, 1, 0x06); // PIIX3 reset control lives here; nothing attached, so ignored
        assertEquals(0x8000_1810, io.read(0xCF8, 4));
    }

    @Test
    void barSizingAndPlacementOnBothBuses() {
        bus.attach(3, 0, new TestFunction());
        configWrite(3, 0, 0x10, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFFF01, configRead(3, 0, 0x10, 4), "256-port I/O BAR");
        configWrite(3, 0, 0x14, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFF000, configRead(3, 0, 0x14, 4), "4 KiB memory BAR");

        configWrite(3, 0, 0x10, 4, 0xC001);
        configWrite(3, 0, 0x14, 4, 0xFEBF_0000);
        assertEquals(0xFF, io.read(0xC005, 1), "not decoded before COMMAND enables I/O space");
        configWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_IO_SPACE | PciDevice.COMMAND_MEMORY_SPACE);
        assertEquals(0x45, io.read(0xC005, 1));
        assertEquals(0x108, memory.read32(0xFEBF_0008L));

        configWrite(3, 0, 0x10, 4, 0xD001);
        assertEquals(0xFF, io.read(0xC005, 1), "moved away");
        assertEquals(0x45, io.read(0xD005, 1));

        configWrite(3, 0, PciDevice.COMMAND, 2, 0);
        assertEquals(0xFF, io.read(0xD005, 1));
        assertEquals(-1, memory.read32(0xFEBF_0008L));
    }

    @Test
    void interruptPinsRotateOntoPirqsBySlotAndShareLevels() {
        bus.setPirqRouter((pirq, high) -> pirqChanges.add(pirq + (high ? "+" : "-")));
        TestFunction a = new TestFunction();
        TestFunction b = new TestFunction();
        bus.attach(1, 0, a); // INTA of slot 1 -> PIRQA
        bus.attach(5, 0, b); // INTA of slot 5 -> PIRQA as well
        a.interrupt(true);
        b.interrupt(true);
        a.interrupt(false);
        assertEquals(List.of("0+"), pirqChanges, "the shared wire stays high while one device asserts it");
        b.interrupt(false);
        assertEquals(List.of("0+", "0-"), pirqChanges);

        a.interrupt(true);
        configWrite(1, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_INTX_DISABLE);
        assertEquals(List.of("0+", "0-", "0+", "0-"), pirqChanges, "INTx disable masks the pin");
        assertEquals(PciDevice.STATUS_INTERRUPT, configRead(1, 0, PciDevice.STATUS, 2) & PciDevice.STATUS_INTERRUPT);
    }

    @Test
    void readOnlyFieldsIgnoreWritesAndInterruptLineIsWritable() {
        bus.attach(2, 0, new TestFunction());
        configWrite(2, 0, 0, 4, 0x12345678);
        assertEquals(0x813910EC, configRead(2, 0, 0, 4));
        configWrite(2, 0, PciDevice.INTERRUPT_LINE, 1, 11);
        assertEquals(11, configRead(2, 0, PciDevice.INTERRUPT_LINE, 1));
        assertEquals(1, configRead(2, 0, PciDevice.INTERRUPT_PIN, 1));
    }

    @Test
    void multifunctionBitIsSetWhenASecondFunctionArrives() {
        bus.attach(1, 0, new TestFunction());
        assertEquals(0, configRead(1, 0, PciDevice.HEADER_TYPE, 1) & 0x80);
        bus.attach(1, 1, new TestFunction());
        assertEquals(0x80, configRead(1, 0, PciDevice.HEADER_TYPE, 1) & 0x80);
        assertThrows(IllegalStateException.class, () -> bus.attach(1, 1, new TestFunction()));
        assertNull(bus.function(1, 2));
    }
}
