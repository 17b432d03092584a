package org.vstation.cpu.oracle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.vstation.cpu.CpuInternalError;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.cpu.harness.BiosGuest;
import org.vstation.cpu.harness.ProcessorFactory;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.fixtures.oracle.InstructionRunner;
import org.vstation.fixtures.oracle.OracleCase;
import org.vstation.fixtures.oracle.OracleLayout;
import org.vstation.fixtures.oracle.OracleResult;

/**
 * The emulator side of the differential test: a BIOS-style guest
 * ({@code flat32.asm}) boots into 32-bit flat protected mode, paging on, and runs each
 * case from the same addresses the native oracle uses. The harness writes a
 * case into guest memory, raises the guest's GO flag, and runs the processor
 * until the guest reports the case done on its hook port.
 */
public final class EmulatorRunner implements InstructionRunner {
    private static final int CASE_DONE_PORT = 0x80;
    private static final int GO_FLAG = OracleLayout.CTRL + 0x60;
    private static final int RAM_BYTES = 4 * 1024 * 1024;
    private static final long BOOT_BUDGET = 1_000_000;
    private static final long CASE_BUDGET = 20_000;
    private static final long SLICE = 5_000;

    private final ProcessorFactory factory;
    private final byte[] image;
    private final List<String> internalErrors = new ArrayList<>();
    private BiosGuest guest;
    private boolean caseDone;
    private long caseInstructions;

    public EmulatorRunner(ProcessorFactory factory) {
        this.factory = factory;
        image = Nasm.assemble(layoutDefinitions() + guestSource());
        boot();
    }

    /** The oracle guest's source, without the layout constants. */
    static String guestSource() {
        try (InputStream in = EmulatorRunner.class.getResourceAsStream("flat32.asm")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String layoutDefinitions() {
        return String.format("""
                CTRL equ 0x%x
                STATE_IN equ 0x%x
                IN_ESP equ 0x%x
                CODE_PTR equ 0x%x
                RESUME_PTR equ 0x%x
                OUT_ESP equ 0x%x
                FAULT_VECTOR equ 0x%x
                FAULT_EIP equ 0x%x
                OUT_TOP equ 0x%x
                """, OracleLayout.CTRL, OracleLayout.STATE_IN, OracleLayout.IN_ESP, OracleLayout.CODE_PTR,
                OracleLayout.RESUME_PTR, OracleLayout.OUT_ESP, OracleLayout.FAULT_VECTOR, OracleLayout.FAULT_EIP,
                OracleLayout.OUT_TOP);
    }

    private void boot() {
        guest = new BiosGuest(image, RAM_BYTES, factory, CASE_DONE_PORT, value -> {
            caseDone = true;
            guest.cpu().requestStop();
        });
        caseDone = false;
        runUntilDone(BOOT_BUDGET);
        if (!caseDone) {
            throw new IllegalStateException("the oracle guest did not reach its case loop: " + guest.cpu().describeState());
        }
    }

    private void runUntilDone(long budget) {
        long start = guest.cpu().instructionCount();
        while (!caseDone && guest.cpu().instructionCount() - start < budget) {
            guest.cpu().run(SLICE);
        }
    }

    /** Instructions the processor retired for cases (boot excluded), including the harness's prologue and epilogue. */
    public long caseInstructions() {
        return caseInstructions;
    }

    /** Messages of the internal errors the emulator threw (the guest was rebooted after each). */
    public List<String> internalErrors() {
        return internalErrors;
    }

    @Override
    public List<OracleResult> run(List<OracleCase> cases) {
        List<OracleResult> results = new ArrayList<>(cases.size());
        for (OracleCase c : cases) results.add(run(c));
        return results;
    }

    private OracleResult run(OracleCase c) {
        PhysicalMemory memory = guest.memory();
        for (int r = 0; r < 8; r++) memory.write32(OracleLayout.stateInSlot(r), c.registers()[r]);
        memory.write32(OracleLayout.IN_EFLAGS, c.eflags());
        memory.write32(OracleLayout.IN_ESP, c.registers()[4]);
        memory.write32(OracleLayout.CODE_PTR, OracleLayout.CODE);
        memory.write32(OracleLayout.FAULT_VECTOR, OracleResult.NO_FAULT);
        memory.write32(OracleLayout.FAULT_EIP, 0);
        memory.writeBytes(OracleLayout.WINDOW, c.window(), 0, OracleLayout.WINDOW_SIZE);
        byte[] code = c.code();
        memory.writeBytes(OracleLayout.CODE, code, 0, code.length);
        memory.write8(GO_FLAG, 1);
        caseDone = false;
        long before = guest.cpu().instructionCount();
        try {
            runUntilDone(CASE_BUDGET);
        } catch (CpuInternalError e) {
            internalErrors.add(e.getMessage());
            boot();
            return failed(OracleResult.INTERNAL_ERROR);
        }
        caseInstructions += guest.cpu().instructionCount() - before;
        if (!caseDone) {
            boot();
            return failed(OracleResult.DID_NOT_FINISH);
        }
        int[] registers = new int[8];
        for (int r = 0; r < 8; r++) registers[r] = memory.read32(OracleLayout.outSlot(r));
        registers[4] = memory.read32(OracleLayout.OUT_ESP);
        int eflags = memory.read32(OracleLayout.outEflags());
        byte[] window = new byte[OracleLayout.WINDOW_SIZE];
        memory.readBytes(OracleLayout.WINDOW, window, 0, window.length);
        int vector = memory.read32(OracleLayout.FAULT_VECTOR);
        int faultOffset = vector == OracleResult.NO_FAULT ? 0 : memory.read32(OracleLayout.FAULT_EIP) - OracleLayout.CODE;
        return new OracleResult(registers, eflags, window, vector, faultOffset);
    }

    private static OracleResult failed(int vector) {
        return new OracleResult(new int[8], 0, new byte[OracleLayout.WINDOW_SIZE], vector, 0);
    }
}
