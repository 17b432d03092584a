package org.vstation.devices.chipset;

import java.io.DataInput;
import java.io.IOException;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.pci.PciDevice;

/*
 * Intel 82441FX PCI and Memory Controller (PMC), the host bridge of the 440FX PCIset (PCI 00:00.0).
 * Follows the Intel 440FX PCIset 82441FX/82442FX datasheet (order 290549-001), 3.2: PAM0-6 and SMRAM.
 */

/**
 * The i440FX host bridge: identifies the chipset and steers the 0xC0000-0xFFFFF
 * shadow region between the BIOS ROM (or PCI) and DRAM through the Programmable
 * Attribute Map registers. It carries QEMU's subsystem ids (1AF4:1100), which is
 * how SeaBIOS recognises a QEMU-style machine and takes its fw_cfg paths.
 *
 * <p>SMM is not emulated; the SMRAM control register keeps its lock semantics so
 * firmware that programs it sees a datasheet-conformant register.
 */
public final class I440fxHostBridge extends PciDevice {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_82441FX = 0x1237;
    public static final int REVISION = 0x02;
    public static final int CLASS_HOST_BRIDGE = 0x06_00_00;
    /** Red Hat, Inc. / "QEMU virtual machine": SeaBIOS tests these (paravirt.c qemu_detect). */
    public static final int QEMU_SUBSYSTEM_VENDOR = 0x1AF4;
    public static final int QEMU_SUBSYSTEM_ID = 0x1100;

    // Configuration registers (datasheet 3.2).
    public static final int DRAMT = 0x58;
    public static final int PAM0 = 0x59;
    public static final int PAM6 = 0x5F;
    public static final int SMRAM = 0x72;

    /** PAM attribute bits of one segment: reads from DRAM, writes to DRAM (datasheet table 3-2). */
    public static final int PAM_READ_ENABLE = 0x1;
    public static final int PAM_WRITE_ENABLE = 0x2;

    // SMRAM control bits (datasheet 3.2.23).
    public static final int SMRAM_C_BASE_SEG_A0000 = 0x02;
    public static final int SMRAM_G_SMRAME = 0x08;
    public static final int SMRAM_D_LCK = 0x10;
    public static final int SMRAM_D_CLS = 0x20;
    public static final int SMRAM_D_OPEN = 0x40;

    private static final long SHADOW_START = 0xC0000;
    private static final long SEGMENT_16K = 0x4000;
    private static final long BIOS_SEGMENT = 0xF0000;
    private static final long BIOS_SEGMENT_SIZE = 0x10000;

    private final PhysicalMemory memory;
    /** SMRAM as it was before the current configuration write, for the D_LCK rules. */
    private int smramBeforeWrite;

    public I440fxHostBridge(PhysicalMemory memory) {
        super("i440FX host bridge", VENDOR_INTEL, DEVICE_82441FX, REVISION, CLASS_HOST_BRIDGE);
        this.memory = memory;
        setSubsystem(QEMU_SUBSYSTEM_VENDOR, QEMU_SUBSYSTEM_ID);
        setWritable(DRAMT, 1, 0xFF);
        // PAM0 controls only the 64 KiB BIOS segment (high nibble); PAM1-6 two 16 KiB segments each.
        setWritable(PAM0, 1, 0x30);
        for (int pam = PAM0 + 1; pam <= PAM6; pam++) {
            setWritable(pam, 1, 0x33);
        }
        setWritable(SMRAM, 1, SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME);
        reset();
    }

    /** Power-on reset: PAM registers select ROM/PCI everywhere, SMRAM unlocked and closed. */
    public void reset() {
        for (int pam = PAM0; pam <= PAM6; pam++) {
            putConfig(pam, 1, 0);
        }
        putConfig(SMRAM, 1, SMRAM_C_BASE_SEG_A0000);
        smramBeforeWrite = SMRAM_C_BASE_SEG_A0000;
        applyProgrammableAttributeMap();
    }

    /** True while SMRAM (0xA0000-0xBFFFF DRAM) is opened to non-SMM accesses; no SMM means nothing else maps it. */
    public boolean isSmramOpen() {
        int smram = getConfig(SMRAM, 1);
        return (smram & SMRAM_D_OPEN) != 0 && (smram & SMRAM_G_SMRAME) != 0;
    }

    @Override
    protected void configWritten(int offset, int size) {
        if (offset <= PAM6 && offset + size > PAM0) {
            applyProgrammableAttributeMap();
        }
        if (offset <= SMRAM && offset + size > SMRAM) {
            updateSmram();
        }
    }

    /**
     * Datasheet 3.2.23: once D_LCK is set, D_OPEN is forced to 0 and D_LCK, D_OPEN and
     * G_SMRAME become read-only until the next power-on reset; only D_CLS stays writable.
     */
    private void updateSmram() {
        int written = getConfig(SMRAM, 1);
        int value;
        if ((smramBeforeWrite & SMRAM_D_LCK) != 0) {
            value = (smramBeforeWrite & (SMRAM_G_SMRAME | SMRAM_D_LCK)) | (written & SMRAM_D_CLS);
        } else if ((written & SMRAM_D_LCK) != 0) {
            value = written & ~SMRAM_D_OPEN;
        } else {
            value = written;
        }
        value = (value & ~0x07) | SMRAM_C_BASE_SEG_A0000;
        putConfig(SMRAM, 1, value);
        smramBeforeWrite = value;
    }

    /** Applies PAM0-PAM6 to the shadow region; segments without DRAM behind them stay on the ROM/PCI side. */
    private void applyProgrammableAttributeMap() {
        applySegment(BIOS_SEGMENT, BIOS_SEGMENT_SIZE, getConfig(PAM0, 1) >>> 4);
        for (int pam = PAM0 + 1; pam <= PAM6; pam++) {
            int attributes = getConfig(pam, 1);
            long low = SHADOW_START + (pam - PAM0 - 1) * 2 * SEGMENT_16K;
            applySegment(low, SEGMENT_16K, attributes & 0x3);
            applySegment(low + SEGMENT_16K, SEGMENT_16K, (attributes >>> 4) & 0x3);
        }
    }

    private void applySegment(long base, long length, int attributes) {
        if (base + length > memory.ramSize()) {
            return;
        }
        memory.setShadowAccess(base, length,
                (attributes & PAM_READ_ENABLE) != 0, (attributes & PAM_WRITE_ENABLE) != 0);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        smramBeforeWrite = getConfig(SMRAM, 1);
        applyProgrammableAttributeMap();
    }
}
