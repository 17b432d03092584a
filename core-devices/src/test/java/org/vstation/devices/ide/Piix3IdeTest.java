package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vstation.devices.ide.IdeTestBench.PRIMARY;
import static org.vstation.devices.ide.IdeTestBench.SECONDARY;

import org.junit.jupiter.api.Test;
import org.vstation.devices.pci.PciDevice;

/** The PCI side of the PIIX3 IDE function: identity, BAR4, and when the legacy ports decode. */
class Piix3IdeTest {
    @Test
    void configurationHeader() {
        IdeTestBench bench = new IdeTestBench();
        assertEquals(0x7010_8086, bench.readConfig(0, 4));
        assertEquals(0x01_01_80, bench.readConfig(PciDevice.REVISION_ID, 4) >>> 8);
        assertEquals(0, bench.readConfig(PciDevice.INTERRUPT_PIN, 1), "legacy mode: ISA IRQs 14 and 15, no INTx");
        bench.config(PciDevice.BAR0 + 16, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFF_FFF1, bench.readConfig(PciDevice.BAR0 + 16, 4), "16 I/O ports");
        assertEquals(0, bench.readConfig(PciDevice.BAR0, 4), "BAR0-3 unused in legacy mode");
    }

    @Test
    void legacyPortsDecodeOnlyWhenEnabled() {
        IdeTestBench bench = new IdeTestBench();
        bench.ide.primary().attach(0, new AtapiCdrom("cd", "S", "M"));
        assertEquals(0xFF, bench.in8(PRIMARY + 4), "nothing decodes before the firmware enables it");
        bench.config(PciDevice.COMMAND, 2, PciDevice.COMMAND_IO_SPACE);
        assertEquals(0xFF, bench.in8(PRIMARY + 4), "IDETIM decode enable still clear");
        bench.config(Piix3Ide.IDETIM_PRIMARY, 2, Piix3Ide.IDETIM_DECODE_ENABLE);
        assertEquals(0x14, bench.in8(PRIMARY + 4), "ATAPI signature");
        assertEquals(0xFF, bench.in8(SECONDARY + 7), "the secondary channel is still off");
        bench.ide.reset();
        assertEquals(0, bench.readConfig(Piix3Ide.IDETIM_PRIMARY, 2));
        assertEquals(0xFF, bench.in8(PRIMARY + 4), "reset turns decoding off");
    }

    @Test
    void busMasterRegisters() {
        IdeTestBench bench = new IdeTestBench().enable();
        bench.ide.primary().attach(0, new AtapiCdrom("cd", "S", "M"));
        int status = IdeTestBench.BUS_MASTER_BASE + IdeChannel.BM_STATUS;
        assertEquals(IdeChannel.BM_STATUS_DRIVE0_DMA, bench.in8(status));
        bench.io.write(IdeTestBench.BUS_MASTER_BASE + IdeChannel.BM_PRD_TABLE, 4, 0x1234_5677);
        assertEquals(0x1234_5674, bench.io.read(IdeTestBench.BUS_MASTER_BASE + IdeChannel.BM_PRD_TABLE, 4),
                "dword aligned");
        bench.io.write(IdeTestBench.BUS_MASTER_BASE + 8 + IdeChannel.BM_COMMAND, 1, 0x09);
        assertEquals(0x09, bench.in8(IdeTestBench.BUS_MASTER_BASE + 8));
        assertEquals(IdeChannel.BM_STATUS_ACTIVE, bench.in8(IdeTestBench.BUS_MASTER_BASE + 8 + 2) & 7,
                "the secondary engine is running, the primary is not");
        assertEquals(0, bench.in8(status) & IdeChannel.BM_STATUS_ACTIVE);
    }
}
