package org.vstation.devices.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.X86Cpu;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineConfig;
import org.vstation.fixtures.seabios.QemuSeaBiosBoot;
import org.vstation.fixtures.seabios.SeaBiosDebugLog;

/**
 * Issue 5, "done when" 2: SeaBIOS booted on our machine and on QEMU's pc machine (same bios.bin,
 * 64 MiB, no boot media, the same -uuid) reports the same RAM size, PCI functions, boot order and
 * machine UUID, and no warning QEMU's boot does not have; and the ACPI tables SeaBIOS builds for our
 * PIIX4 describe what Linux needs to power off. A few seconds (a SeaBIOS boot on the interpreter
 * plus one on QEMU), so it runs in every build.
 */
class SeaBiosBootComparisonTest {
    private static final int MEMORY_MEGABYTES = 64;
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final UUID VM_UUID = UUID.fromString("6454900d-04d6-4000-b96b-87e89803351d");
    /** QEMU devices to add so QEMU's machine has the same optional PCI functions as ours. */
    private static final Map<String, String> QEMU_DEVICE_FOR_PCI_ID = Map.of(
            "1234:1111", "VGA",
            "10ec:8139", "rtl8139");
    /**
     * Our board always has an (empty) CD/DVD drive on the secondary channel, and no local APIC, so
     * QEMU's vapic option ROM, which SeaBIOS would list first in its boot order, has nothing to do.
     */
    private static final List<String> QEMU_BOARD_AS_OURS = List.of(
            "-drive", "if=ide,index=2,media=cdrom", "-global", "apic-common.vapic=off");

    private static Machine machine;
    private static SeaBiosDebugLog ours;
    private static SeaBiosDebugLog qemu;

    @BeforeAll
    static void bootBoth() throws Exception {
        assumeTrue(QemuSeaBiosBoot.qemuAvailable(), "qemu-system-i386 not installed");
        Path bios = QemuSeaBiosBoot.firmware().orElse(null);
        assumeTrue(bios != null, "no SeaBIOS image: run guest-images/fetch-firmware");

        ours = SeaBiosDebugLog.parse(bootOnVStation(Files.readAllBytes(bios)));
        assertTrue(ours.reachedNoBootableDevice(), "SeaBIOS did not finish on VStation:\n" + ours.lines());
        List<String> extraDevices = new ArrayList<>(List.of("-uuid", VM_UUID.toString()));
        extraDevices.addAll(QEMU_BOARD_AS_OURS);
        for (String id : ours.pciIds()) {
            String device = QEMU_DEVICE_FOR_PCI_ID.get(id);
            if (device != null) {
                extraDevices.addAll(List.of("-device", device));
            }
        }
        qemu = SeaBiosDebugLog.parse(
                QemuSeaBiosBoot.bootLog(bios, MEMORY_MEGABYTES, extraDevices, Duration.ofSeconds(30)));
        assertTrue(qemu.reachedNoBootableDevice(), "SeaBIOS did not finish on QEMU:\n" + qemu.lines());
        System.out.printf("SeaBiosBootComparisonTest: RAM %d MiB, PCI %s, boot order %s, warnings %s (QEMU: %d MiB, %s, %s, %s)%n",
                ours.ramSizeBytes() >> 20, ours.pciIds(), ours.bootAttempts(), ours.warnings(),
                qemu.ramSizeBytes() >> 20, qemu.pciIds(), qemu.bootAttempts(), qemu.warnings());
    }

    private static String bootOnVStation(byte[] bios) throws InterruptedException {
        machine = new Machine("seabios", new MachineConfig().memoryMegabytes(MEMORY_MEGABYTES).biosImage(bios)
                .uuid(VM_UUID), X86Cpu::new);
        StringBuffer log = new StringBuffer();
        machine.addDebugConsoleListener(b -> {
            log.append((char) b);
            if ((b == '.' || b == '\n') && log.indexOf(SeaBiosDebugLog.NO_BOOTABLE_DEVICE) >= 0) {
                machine.requestPowerOffFromVmThread();
            }
        });
        machine.start();
        if (!machine.awaitTermination(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            machine.powerOff();
            machine.awaitTermination(5, TimeUnit.SECONDS);
        }
        return log.toString();
    }

    @Test
    void ramSizeMatchesQemu() {
        assertEquals(qemu.ramSizeBytes(), ours.ramSizeBytes());
        assertEquals((long) MEMORY_MEGABYTES << 20, ours.ramSizeBytes());
    }

    /** The boot-order lookups SeaBIOS makes and the devices it then tries, in order (CMOS boot order as QEMU's). */
    @Test
    void bootOrderMatchesQemu() {
        assertEquals(qemu.bootOrderSearches(), ours.bootOrderSearches());
        assertEquals(qemu.bootAttempts(), ours.bootAttempts());
        assertEquals(List.of("DVD/CD", "Floppy", "Hard Disk"), ours.bootAttempts());
    }

    @Test
    void noWarningQemuDoesNotHave() {
        List<String> extraWarnings = new ArrayList<>(ours.warnings());
        extraWarnings.removeAll(qemu.warnings());
        assertEquals(List.of(), extraWarnings);
    }

    /** SeaBIOS prints the UUID of the SMBIOS system information it built; QEMU's -uuid and ours agree. */
    @Test
    void machineUuidMatchesQemu() {
        List<String> qemuUuid = qemu.lines().stream().filter(line -> line.startsWith("Machine UUID")).toList();
        assertEquals(List.of("Machine UUID " + VM_UUID), qemuUuid);
        assertEquals(qemuUuid, ours.lines().stream().filter(line -> line.startsWith("Machine UUID")).toList());
    }

    @Test
    void everyPciFunctionOfOursIsOneQemuHas() {
        assertTrue(qemu.pciIds().containsAll(ours.pciIds()), "ours " + ours.pciIds() + ", QEMU " + qemu.pciIds());
    }

    @Test
    void samePciFunctionsAsQemu() {
        assertEquals(qemu.pciIds(), ours.pciIds());
    }

    /** What Linux reads to power off: FADT -> PM1 at the PIIX4's PMBA, SCI 9, \_S5 in a definition block. */
    @Test
    void firmwareAcpiTablesPointAtOurPowerManagement() {
        Map<String, ByteBuffer> tables = acpiTables(machine.memory());
        ByteBuffer fadt = tables.get("FACP");
        assertEquals(9, fadt.getShort(46), "SCI_INT");
        assertEquals(0xB2, fadt.getInt(48), "SMI_CMD");
        assertEquals(0xF1, fadt.get(52) & 0xFF, "ACPI_ENABLE");
        assertEquals(0xB000, fadt.getInt(56), "PM1a_EVT_BLK");
        assertEquals(0xB004, fadt.getInt(64), "PM1a_CNT_BLK");
        assertEquals(0xB008, fadt.getInt(76), "PM_TMR_BLK");
        String definitionBlocks = new String(tables.get("DSDT").array(), StandardCharsets.ISO_8859_1)
                + new String(tables.getOrDefault("SSDT", ByteBuffer.allocate(0)).array(), StandardCharsets.ISO_8859_1);
        assertTrue(definitionBlocks.contains("_S5_"), "a \\_S5 package");
        assertFalse(definitionBlocks.contains("_S3_"), "S3 is not offered (etc/system-states)");
    }

    /** RSDP in the BIOS area, then every table the RSDT lists plus the FADT's DSDT, by signature. */
    private static Map<String, ByteBuffer> acpiTables(PhysicalMemory memory) {
        long rsdp = -1;
        for (long at = 0xE0000; at < 0x100000 && rsdp < 0; at += 16) {
            if (signature(memory, at, 8).equals("RSD PTR ")) {
                rsdp = at;
            }
        }
        assertTrue(rsdp >= 0, "no RSDP in 0xE0000-0xFFFFF");
        long rsdt = Integer.toUnsignedLong(memory.read32(rsdp + 16));
        Map<String, ByteBuffer> tables = new HashMap<>();
        int entries = (memory.read32(rsdt + 4) - 36) / 4;
        for (int i = 0; i < entries; i++) {
            long table = Integer.toUnsignedLong(memory.read32(rsdt + 36 + 4L * i));
            tables.put(signature(memory, table, 4), table(memory, table));
        }
        long dsdt = Integer.toUnsignedLong(tables.get("FACP").getInt(40));
        tables.put("DSDT", table(memory, dsdt));
        for (Map.Entry<String, ByteBuffer> entry : tables.entrySet()) {
            int sum = 0;
            for (byte b : entry.getValue().array()) sum += b;
            assertEquals(0, sum & 0xFF, entry.getKey() + " checksum");
        }
        return tables;
    }

    private static ByteBuffer table(PhysicalMemory memory, long address) {
        byte[] bytes = new byte[memory.read32(address + 4)];
        memory.readBytes(address, bytes, 0, bytes.length);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String signature(PhysicalMemory memory, long address, int length) {
        byte[] bytes = new byte[length];
        memory.readBytes(address, bytes, 0, length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
