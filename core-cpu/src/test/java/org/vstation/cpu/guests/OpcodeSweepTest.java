package org.vstation.cpu.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.cpu.harness.BiosGuest;
import org.vstation.cpu.harness.ProcessorFactory;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.fixtures.qemu.QemuRunner;

/**
 * Every two-byte opcode 0F 00-FF executed once (with ModR/M = [EBX] where it
 * has one): X86Cpu must raise the same exception as QEMU's pentium2, or none,
 * except where the difference is by design (listed below with the reason).
 * Prints what both did per opcode when they differ.
 */
class OpcodeSweepTest {

    /** Opcodes without a ModR/M byte (SDM vol. 2, appendix A, two-byte opcode map). */
    private static boolean hasModrm(int opcode) {
        return !((opcode >= 0x05 && opcode <= 0x0B) || opcode == 0x0E || (opcode >= 0x30 && opcode <= 0x37)
                || opcode == 0x77 || (opcode >= 0x80 && opcode <= 0x8F) || (opcode >= 0xA0 && opcode <= 0xA2)
                || (opcode >= 0xA8 && opcode <= 0xAA) || (opcode >= 0xC8 && opcode <= 0xCF));
    }

    /**
     * Not executed: 0F 01 (LGDT/LIDT/LMSW from zeroed memory) and 0F 20-27
     * (MOV to control and debug registers) would wreck the guest, 0F 30 (WRMSR)
     * likewise; 0F 80-8F (Jcc rel32) would take the padding as displacement (the
     * host-CPU oracle covers them); 0F 33 (RDPMC) is unimplemented in QEMU.
     */
    private static boolean notProbed(int opcode) {
        return opcode == 0x01 || (opcode >= 0x20 && opcode <= 0x27) || opcode == 0x30 || opcode == 0x33
                || (opcode >= 0x80 && opcode <= 0x8F);
    }

    /**
     * Where X86Cpu must raise #UD whatever QEMU does, because its CPUID does
     * not advertise the feature: MMX and SSE (issue 3: "no MMX/SSE yet"; QEMU's
     * pentium2 has MMX), FXSAVE (0F AE /0; no FXSR), and 0F 0D, reserved on a
     * P6 (PREFETCHW needs CPUID PRFCHW) but decoded as a NOP by QEMU for every model.
     */
    private static boolean notAdvertised(int opcode) {
        return (opcode >= 0x10 && opcode <= 0x17) || (opcode >= 0x28 && opcode <= 0x2F)
                || (opcode >= 0x50 && opcode <= 0x7F) || (opcode >= 0xC2 && opcode <= 0xC6)
                || (opcode >= 0xD0 && opcode <= 0xFE) || opcode == 0xAE || opcode == 0x0D;
    }

    static String probes() {
        StringBuilder table = new StringBuilder();
        for (int opcode = 0; opcode < 256; opcode++) {
            List<Integer> bytes = new ArrayList<>();
            if (!notProbed(opcode)) {
                bytes.add(0x0F);
                bytes.add(opcode);
                if (hasModrm(opcode)) bytes.add(0x03); // [EBX], reg field 0
            }
            while (bytes.size() < 16) bytes.add(0x90);
            table.append("        db ");
            for (int i = 0; i < 16; i++) table.append(i == 0 ? "" : ", ").append(String.format("0x%02X", bytes.get(i)));
            table.append(String.format("  ; 0F %02X%n", opcode));
        }
        return table.toString();
    }

    /** The probe characters, in opcode order, from the guest's rows " 0F=x0:................". */
    static String results(String serial) {
        StringBuilder all = new StringBuilder();
        for (String line : serial.split("\n")) {
            int colon = line.indexOf(':');
            if (colon >= 0) all.append(line.substring(colon + 1));
        }
        return all.toString();
    }

    @Test
    void twoByteOpcodesFaultAsInQemu(@TempDir Path generated) throws IOException {
        Files.writeString(generated.resolve("opcode-probes.inc"), probes());
        byte[] image = Nasm.assembleFile(SystemGuestsTest.guestDirectory().resolve("opcode-sweep.asm"), generated);
        String reference = results(SystemGuestsTest.qemuOutput(image, "opcode-sweep.asm"));
        BiosGuest.Result run = new BiosGuest(image, 32 * 1024 * 1024, ProcessorFactory.X86_CPU).run(10_000_000);
        assertEquals(BiosGuest.Ending.END_MARKER, run.ending(), run.state());
        String actual = results(run.serial());
        assertEquals(256, reference.length(), reference);
        assertEquals(256, actual.length(), actual);
        List<String> differences = new ArrayList<>();
        for (int opcode = 0; opcode < 256; opcode++) {
            char expected = notAdvertised(opcode) ? '6' : reference.charAt(opcode);
            if (!notProbed(opcode) && actual.charAt(opcode) != expected) {
                differences.add(String.format("0F %02X: expected %c (QEMU %c), X86Cpu %c", opcode, expected,
                        reference.charAt(opcode), actual.charAt(opcode)));
            }
        }
        assertEquals(List.of(), differences);
    }
}
