package org.vstation.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;

/** Garbage in, architectural behaviour out: random code never throws out of {@link X86Cpu#run}. */
class RobustnessTest {
    private static final IoBus OPEN_BUS = new IoBus() {
        @Override
        public int read(int port, int size) {
            return -1;
        }

        @Override
        public void write(int port, int size, int value) {
        }
    };

    @Test
    void randomBytesInRealModeOnlyRaiseGuestExceptions() {
        Random random = new Random(1234);
        PhysicalMemory memory = new PhysicalMemory(2 << 20);
        X86Cpu cpu = new X86Cpu(memory, OPEN_BUS, () -> 0x08, () -> 0L);
        for (int round = 0; round < 60; round++) {
            byte[] garbage = new byte[0x20000];
            random.nextBytes(garbage);
            memory.writeBytes(0, garbage, 0, garbage.length);
            cpu.reset();
            cpu.setRealModeSegment(X86Cpu.SEG_CS, random.nextInt(0x1000));
            cpu.setEip(random.nextInt(0x10000));
            for (int r = 0; r < 8; r++) cpu.setRegister(r, random.nextInt());
            runSafely(cpu, 20_000);
        }
    }

    @Test
    void randomBytesInProtectedModeWithPagingOnlyRaiseGuestExceptions() {
        Random random = new Random(99);
        PhysicalMemory memory = new PhysicalMemory(4 << 20);
        X86Cpu cpu = new X86Cpu(memory, OPEN_BUS, () -> 0x20, () -> 0L);
        byte[] garbage = new byte[4 << 20];
        for (int round = 0; round < 60; round++) {
            random.nextBytes(garbage);
            memory.writeBytes(0, garbage, 0, garbage.length);
            cpu.reset();
            // GDT at 0x1000 with flat code and data; IDT and page tables are whatever the garbage says.
            memory.write32(0x1008, 0x0000FFFF);
            memory.write32(0x100C, 0x00CF9A00);
            memory.write32(0x1010, 0x0000FFFF);
            memory.write32(0x1014, 0x00CF9200);
            cpu.setDescriptorTable(false, 0x1000, 0x17);
            cpu.setDescriptorTable(true, random.nextInt(1 << 20), random.nextInt(0x800));
            cpu.setControlRegister(3, random.nextInt(1 << 22) & ~0xFFF);
            cpu.setControlRegister(4, random.nextBoolean() ? 0x10 : 0);
            cpu.setControlRegister(0, round % 2 == 0 ? 0x80000011 : 0x11);
            cpu.setSegment(X86Cpu.SEG_CS, 0x08, 0, -1, 0x9B | 0xC00);
            for (int s : new int[] {X86Cpu.SEG_DS, X86Cpu.SEG_ES, X86Cpu.SEG_SS, X86Cpu.SEG_FS, X86Cpu.SEG_GS}) {
                cpu.setSegment(s, 0x10, 0, -1, 0x93 | 0xC00);
            }
            cpu.setEip(random.nextInt(4 << 20));
            for (int r = 0; r < 8; r++) cpu.setRegister(r, random.nextInt());
            cpu.setInterruptRequest(random.nextBoolean());
            runSafely(cpu, 20_000);
        }
    }

    private static void runSafely(X86Cpu cpu, long instructions) {
        long end = cpu.instructionCount() + instructions;
        for (int slice = 0; slice < 100 && cpu.instructionCount() < end; slice++) {
            Processor.StopReason reason = cpu.run(instructions / 10);
            assertNotNull(reason);
            if (reason == Processor.StopReason.SHUTDOWN || reason == Processor.StopReason.HALTED) {
                return;
            }
            assertEquals(Processor.StopReason.BUDGET_EXHAUSTED, reason);
        }
    }
}
