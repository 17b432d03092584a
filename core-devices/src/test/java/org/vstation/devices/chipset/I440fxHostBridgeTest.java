package org.vstation.devices.chipset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.MemoryMappedDevice;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.pci.PciBus;

class I440fxHostBridgeTest {
    private static final int ROM_BYTE = 0xA5;

    private final IoPortBus io = new IoPortBus();
    private final PhysicalMemory memory = new PhysicalMemory(16 * 1024 * 1024);
    private final PciBus pci = new PciBus(io, memory);
    private final PciConfigPorts config = new PciConfigPorts(io);
    private final byte[] rom = new byte[0x20000];
    private I440fxHostBridge bridge;

    @BeforeEach
    void setUp() {
        Arrays.fill(rom, (byte) ROM_BYTE);
        // The machine maps the 128 KiB BIOS image under the shadow region, as on QEMU.
        memory.mapDevice(0xE0000, rom.length, new MemoryMappedDevice() {
            @Override public String name() { return "BIOS ROM"; }
            @Override public int read(long offset, int size) {
                int value = 0;
                for (int i = 0; i < size; i++) value |= (rom[(int) offset + i] & 0xFF) << (8 * i);
                return value;
            }
            @Override public void write(long offset, int size, int value) { }
        });
        bridge = new I440fxHostBridge(memory);
        pci.attach(0, 0, bridge);
    }

    @Test
    void identifiesAsI440fxWithQemuSubsystemIds() {
        assertEquals(0x1237_8086, config.read(0, 0, 0x00, 4));
        assertEquals(0x0600, config.read(0, 0, 0x0A, 2), "class: host bridge");
        assertEquals(0x1AF4, config.read(0, 0, 0x2C, 2));
        assertEquals(0x1100, config.read(0, 0, 0x2E, 2));
        assertEquals(0x00, config.read(0, 0, 0x0E, 1), "single-function type 0 header");
    }

    @Test
    void biosSegmentReadsRomUntilPam0EnablesDram() {
        memory.write8(0xF0000, 0x11); // PAM0 = 0: write goes to the ROM and is lost
        assertEquals(ROM_BYTE, memory.read8(0xF0000));

        config.write(0, 0, I440fxHostBridge.PAM0, 1, 0x20); // write-only to DRAM: copy ROM into shadow
        memory.write8(0xF0000, memory.read8(0xF0000) ^ 0xFF);
        assertEquals(ROM_BYTE, memory.read8(0xF0000), "reads still come from the ROM");

        config.write(0, 0, I440fxHostBridge.PAM0, 1, 0x10); // read-only DRAM
        assertEquals(ROM_BYTE ^ 0xFF, memory.read8(0xF0000), "the shadow copy is now visible");
        memory.write8(0xF0000, 0x00);
        assertEquals(ROM_BYTE ^ 0xFF, memory.read8(0xF0000), "write-protected shadow ignores writes");

        config.write(0, 0, I440fxHostBridge.PAM0, 1, 0x30);
        memory.write8(0xF0000, 0x42);
        assertEquals(0x42, memory.read8(0xF0000));
    }

    @Test
    void seabiosStyleDwordWritesProgramEverySegment() {
        // make_bios_writable: DRAMT+PAM0-2 and PAM3-6 as two dwords, every segment read/write DRAM.
        config.write(0, 0, 0x58, 4, 0x3333_3000);
        config.write(0, 0, 0x5C, 4, 0x3333_3333);
        for (long segment = 0xC0000; segment < 0x100000; segment += 0x4000) {
            memory.write8(segment + 0x123, 0x5A);
            assertEquals(0x5A, memory.read8(segment + 0x123), String.format("segment %x", segment));
        }
        assertEquals(0x30, config.read(0, 0, I440fxHostBridge.PAM0, 1));

        // Only the upper half of PAM1 (0xC4000) back to ROM/PCI: nothing is mapped there, so it floats.
        config.write(0, 0, 0x5A, 1, 0x03);
        assertEquals(0x5A, memory.read8(0xC0123));
        assertEquals(0xFF, memory.read8(0xC4123));
        assertEquals(0x03, config.read(0, 0, 0x5A, 1));
    }

    @Test
    void reservedPamBitsReadAsZero() {
        config.write(0, 0, I440fxHostBridge.PAM0, 1, 0xFF);
        config.write(0, 0, 0x5A, 1, 0xFF);
        assertEquals(0x30, config.read(0, 0, I440fxHostBridge.PAM0, 1));
        assertEquals(0x33, config.read(0, 0, 0x5A, 1));
    }

    @Test
    void smramLockFreezesOpenAndEnableUntilReset() {
        assertEquals(0x02, config.read(0, 0, I440fxHostBridge.SMRAM, 1));
        config.write(0, 0, I440fxHostBridge.SMRAM, 1, 0x4A); // D_OPEN | G_SMRAME
        assertEquals(0x4A, config.read(0, 0, I440fxHostBridge.SMRAM, 1));
        assertTrue(bridge.isSmramOpen());

        config.write(0, 0, I440fxHostBridge.SMRAM, 1, 0x5A); // lock: D_OPEN is forced closed
        assertEquals(0x1A, config.read(0, 0, I440fxHostBridge.SMRAM, 1));
        assertFalse(bridge.isSmramOpen());

        config.write(0, 0, I440fxHostBridge.SMRAM, 1, 0x60); // try to unlock, reopen and disable
        assertEquals(0x3A, config.read(0, 0, I440fxHostBridge.SMRAM, 1), "only D_CLS still changes");

        bridge.reset();
        assertEquals(0x02, config.read(0, 0, I440fxHostBridge.SMRAM, 1));
    }

    @Test
    void resetReturnsShadowRegionToRom() {
        config.write(0, 0, I440fxHostBridge.PAM0, 1, 0x30);
        memory.write8(0xF0000, 0x42);
        bridge.reset();
        assertEquals(ROM_BYTE, memory.read8(0xF0000));
        assertEquals(0, config.read(0, 0, I440fxHostBridge.PAM0, 1));
    }

    @Test
    void snapshotRestoresPamMapping() throws IOException {
        config.write(0, 0, I440fxHostBridge.PAM0, 1, 0x30);
        memory.write8(0xF0000, 0x42);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        bridge.saveState(new DataOutputStream(saved));

        bridge.reset();
        assertEquals(ROM_BYTE, memory.read8(0xF0000));
        bridge.restoreState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        assertEquals(0x42, memory.read8(0xF0000));
    }
}
