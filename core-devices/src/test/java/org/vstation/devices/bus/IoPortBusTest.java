package org.vstation.devices.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoPortBusTest {

    /** Remembers every access as "r/w offset size value". */
    static final class RecordingDevice implements IoDevice {
        final String name;
        final List<String> accesses = new ArrayList<>();
        int readValue;

        RecordingDevice(String name, int readValue) {
            this.name = name;
            this.readValue = readValue;
        }

        @Override public String name() { return name; }

        @Override public int ioRead(int offset, int size) {
            accesses.add("r " + offset + " " + size);
            return readValue;
        }

        @Override public void ioWrite(int offset, int size, int value) {
            accesses.add("w " + offset + " " + size + " " + Integer.toHexString(value));
        }
    }

    @Test
    void deviceSeesOffsetsIntoItsOwnRange() {
        IoPortBus bus = new IoPortBus();
        RecordingDevice uart = new RecordingDevice("uart", 0x5A);
        bus.place(uart, 0x3F8, 8);

        bus.write(0x3FB, 1, 0x83);
        assertEquals(0x5A, bus.read(0x3FD, 1));
        assertEquals(List.of("w 3 1 83", "r 5 1"), uart.accesses);
    }

    @Test
    void overlappingPlacementIsRefusedNamingBothDevices() {
        IoPortBus bus = new IoPortBus();
        bus.place(new RecordingDevice("first", 0), 0x60, 1);
        BusConflictException e = assertThrows(BusConflictException.class,
                () -> bus.place(new RecordingDevice("second", 0), 0x5E, 4));
        assertTrue(e.getMessage().contains("first") && e.getMessage().contains("second"), e.getMessage());
        assertTrue(e.getMessage().contains("0x0060"), e.getMessage());
    }

    @Test
    void unclaimedPortsReadAllOnesAndIgnoreWrites() {
        IoPortBus bus = new IoPortBus();
        assertEquals(0xFF, bus.read(0x1234, 1));
        assertEquals(0xFFFF, bus.read(0x1234, 2));
        assertEquals(0xFFFFFFFF, bus.read(0x1234, 4));
        bus.write(0x1234, 4, 0xDEADBEEF); // must not throw
    }

    @Test
    void accessStraddlingTheEndOfARangeIsSplitIntoBytes() {
        IoPortBus bus = new IoPortBus();
        RecordingDevice device = new RecordingDevice("dev", 0x12);
        bus.place(device, 0x100, 2);

        // Bytes 0x100 and 0x101 come from the device, 0x102/0x103 float high.
        assertEquals(0xFFFF1212, bus.read(0x100, 4));
        assertEquals(List.of("r 0 1", "r 1 1"), device.accesses);

        device.accesses.clear();
        bus.write(0x101, 2, 0xBBAA);
        assertEquals(List.of("w 1 1 aa"), device.accesses);
    }

    @Test
    void wideAccessInsideOneRangeReachesTheDeviceWhole() {
        IoPortBus bus = new IoPortBus();
        RecordingDevice device = new RecordingDevice("dev", 0xCAFEBABE);
        bus.place(device, 0xCFC, 4);
        assertEquals(0xCAFEBABE, bus.read(0xCFC, 4));
        assertEquals(0xBABE, bus.read(0xCFC, 2), "a word read is masked to 16 bits");
        assertEquals(List.of("r 0 4", "r 0 2"), device.accesses);
    }

    @Test
    void removedDeviceNoLongerDecodesAndRangeCanBeReused() {
        IoPortBus bus = new IoPortBus();
        RecordingDevice a = new RecordingDevice("a", 1);
        bus.place(a, 0xC000, 16);
        bus.remove(a, 0xC000, 16);
        assertEquals(0xFF, bus.read(0xC000, 1));
        bus.place(new RecordingDevice("b", 2), 0xC008, 8);
        assertEquals(2, bus.read(0xC008, 1));
    }

    @Test
    void rangesOutsideThePortSpaceAreRejected() {
        IoPortBus bus = new IoPortBus();
        assertThrows(IllegalArgumentException.class, () -> bus.place(new RecordingDevice("x", 0), 0xFFFE, 4));
    }
}
