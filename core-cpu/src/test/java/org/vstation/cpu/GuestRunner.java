package org.vstation.cpu;


import java.util.ArrayList;
import java.util.List;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.fixtures.nasm.Nasm;

/**
 * A bare machine for CPU tests: RAM, an I/O bus that records what the guest
 * reports, a one-vector interrupt controller, and a nasm-assembled guest
 * loaded at 0x1000 and started in real mode at 0000:1000.
 *
 * <p>Ports: 0xE9 appends a character to {@link #text}, 0xEA records a 32-bit
 * value in {@link #values}.
 */
final class GuestRunner {
    static final int LOAD_ADDRESS = 0x1000;

    final PhysicalMemory memory;
    final X86Cpu cpu;
    final StringBuilder text = new StringBuilder();
    final List<Integer> values = new ArrayList<>();
    int interruptVector = 0x20;
    int acknowledged;
    long nanos;

    GuestRunner(int ramBytes) {
        memory = new PhysicalMemory(ramBytes);
        IoBus io = new IoBus() {
            @Override
            public int read(int port, int size) {
                return size == 4 ? -1 : (1 << (8 * size)) - 1;
            }

            @Override
            public void write(int port, int size, int value) {
                if (port == 0xE9) text.append((char) (value & 0xFF));
                if (port == 0xEA) values.add(value);
            }
        };
        cpu = new X86Cpu(memory, io, this::acknowledge, () -> nanos);
    }

    private int acknowledge() {
        acknowledged++;
        cpu.setInterruptRequest(false);
        return interruptVector;
    }

    GuestRunner() {
        this(8 << 20);
    }

    /** Assembles {@code source} (nasm, flat binary, org 0x1000) and loads it. */
    GuestRunner load(String source) {
        byte[] image = assemble("org 0x1000\n" + source);
        memory.writeBytes(LOAD_ADDRESS, image, 0, image.length);
        cpu.reset();
        cpu.setRealModeSegment(X86Cpu.SEG_CS, 0);
        cpu.setEip(LOAD_ADDRESS);
        return this;
    }

    Processor.StopReason runToHalt(long maxInstructions) {
        long end = cpu.instructionCount() + maxInstructions;
        while (cpu.instructionCount() < end) {
            Processor.StopReason reason = cpu.run(Math.min(10_000, end - cpu.instructionCount()));
            if (reason != Processor.StopReason.BUDGET_EXHAUSTED) return reason;
        }
        return Processor.StopReason.BUDGET_EXHAUSTED;
    }

    static byte[] assemble(String source) {
        return Nasm.assemble(source);
    }

    /**
     * nasm source that enters 32-bit flat protected mode (ring 0 code 0x08,
     * data 0x10, ring 3 code 0x1B, ring 3 data 0x23, TSS 0x28, second TSS 0x30, two free
     * entries 0x38 and 0x40 at label free_descriptors)
     * with an IDT at 0x8000 (256 interrupt gates, all absent until set with
     * the SET_GATE macro) and continues at label {@code pm_start}, ESP = 0x90000.
     */
    static final String PROTECTED_MODE_PRELUDE = """
            bits 16
                cli
                xor ax, ax
                mov ds, ax
                lgdt [gdt_descriptor]
                mov eax, cr0
                or eax, 1
                mov cr0, eax
                jmp 0x08:pm_entry
            bits 32
            pm_entry:
                mov ax, 0x10
                mov ds, ax
                mov es, ax
                mov fs, ax
                mov gs, ax
                mov ss, ax
                mov esp, 0x90000
                lidt [idt_descriptor]
                mov ax, 0x28
                ltr ax
                jmp pm_start

            ; SET_GATE vector, handler, type_attributes (0x8E interrupt gate, 0xEE user-callable)
            %macro SET_GATE 3
                mov eax, %2
                mov word [0x8000 + %1*8], ax
                mov word [0x8000 + %1*8 + 2], 0x08
                mov byte [0x8000 + %1*8 + 4], 0
                mov byte [0x8000 + %1*8 + 5], %3
                shr eax, 16
                mov word [0x8000 + %1*8 + 6], ax
            %endmacro

            align 8
            gdt:
                dq 0
                dq 0x00CF9A000000FFFF   ; 0x08 ring 0 code
                dq 0x00CF92000000FFFF   ; 0x10 ring 0 data
                dq 0x00CFFA000000FFFF   ; 0x18 ring 3 code
                dq 0x00CFF2000000FFFF   ; 0x20 ring 3 data
            tss_descriptor:
                dw 0x67, tss, 0x8900, 0 ; 0x28 TSS (base below 64 KiB)
            tss2_descriptor:
                dw 0x67, tss2, 0x8900, 0 ; 0x30 second TSS
            free_descriptors:
                dq 0                    ; 0x38 free for the test
                dq 0                    ; 0x40 free for the test
            gdt_end:
            gdt_descriptor:
                dw gdt_end - gdt - 1
                dd gdt
            idt_descriptor:
                dw 256*8 - 1
                dd 0x8000
            align 16
            tss:
                dd 0, 0x80000, 0x10     ; back link, ESP0, SS0
                times 22 dd 0
                dw 0, 0x68              ; trap, I/O map base (no bitmap)
            tss2:
                times 26 dd 0
            """;
}
