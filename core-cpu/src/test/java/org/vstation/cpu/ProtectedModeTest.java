package org.vstation.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Protected mode, privilege changes, exceptions and paging, driven by small nasm guests. */
class ProtectedModeTest {

    private static GuestRunner run(String body) {
        GuestRunner guest = new GuestRunner().load(GuestRunner.PROTECTED_MODE_PRELUDE + body);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1_000_000), guest.cpu.describeState());
        return guest;
    }

    @Test
    void entersFlatProtectedModeAndRuns32BitCode() {
        GuestRunner guest = run("""
                pm_start:
                    mov ecx, 10
                    xor eax, eax
                .loop:
                    add eax, ecx
                    loop .loop
                    out 0xEA, eax
                    mov al, 'P'
                    out 0xE9, al
                    hlt
                """);
        assertEquals(List.of(55), guest.values);
        assertEquals("P", guest.text.toString());
        assertEquals(1, guest.cpu.cr0() & 1);
        assertEquals(0x08, guest.cpu.segmentSelector(X86Cpu.SEG_CS));
        assertEquals(0xFFFF_FFFF, guest.cpu.segmentLimit(X86Cpu.SEG_CS));
    }

    /** SDM vol. 3, 5.3: even a 4 GiB segment faults on an operand whose last byte lies past offset 0xFFFFFFFF. */
    @Test
    void operandsWrappingPastFourGigabytesFaultInFlatSegments() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 13, gp_handler, 0x8E
                    mov eax, [0xFFFFFFFC]     ; the last dword of the segment: no fault
                    mov dword [0x5000], 0x1234
                    mov eax, [0x5000]
                    out 0xEA, eax
                    mov eax, [0xFFFFFFFE]     ; last byte at offset 0x1_00000001
                    mov al, 'X'
                    out 0xE9, al
                    hlt
                gp_handler:
                    pop eax                   ; error code
                    out 0xEA, eax
                    mov al, 'G'
                    out 0xE9, al
                    hlt
                """);
        assertEquals(List.of(0x1234, 0), guest.values);
        assertEquals("G", guest.text.toString());
        GuestRunner stack = run("""
                pm_start:
                    SET_GATE 12, ss_handler, 0x8E
                    mov esp, 0xFFFFFFFE
                    push eax                  ; ESP - 4 = 0xFFFFFFFA: fits
                    pop eax
                    pop eax                   ; a dword at 0xFFFFFFFE wraps
                    mov al, 'X'
                    out 0xE9, al
                    hlt
                ss_handler:
                    mov al, 'S'
                    out 0xE9, al
                    hlt
                """);
        assertEquals("S", stack.text.toString());
    }

    @Test
    void generalProtectionFaultPushesSelectorErrorCode() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 13, gp_handler, 0x8E
                    mov ax, 0x0B          ; GDT index 1 (code) with RPL 3: not loadable into DS
                    mov ds, ax
                    hlt
                gp_handler:
                    pop eax               ; error code
                    out 0xEA, eax
                    pop eax               ; faulting EIP
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(0x08, guest.values.get(0));
        assertTrue(guest.values.get(1) > 0x1000, "EIP of the faulting MOV");
    }

    @Test
    void divideErrorAndInvalidOpcodeAreFaultsAtTheInstruction() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 0, de_handler, 0x8E
                    SET_GATE 6, ud_handler, 0x8E
                    xor ecx, ecx
                de_site:
                    div ecx
                    hlt
                de_handler:
                    pop eax
                    sub eax, de_site
                    out 0xEA, eax         ; 0: return address is the DIV itself
                ud_site:
                    ud2
                ud_handler:
                    pop eax
                    sub eax, ud_site
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(0, 0), guest.values);
    }

    @Test
    void ring3CallsRing0ThroughInterruptGateWithStackSwitch() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 0x80, syscall, 0xEE
                    push dword 0x23       ; SS
                    push dword 0x70000    ; ESP
                    push dword 0x202      ; EFLAGS (IF)
                    push dword 0x1B       ; CS
                    push dword user_code
                    iret
                user_code:
                    mov eax, cs
                    out 0xEA, eax         ; not reachable at CPL 3: IN/OUT need IOPL... see below
                    hlt
                syscall:
                    mov eax, [esp + 4]    ; CS pushed by the gate
                    out 0xEA, eax
                    mov eax, [esp + 12]   ; user ESP
                    out 0xEA, eax
                    mov eax, esp
                    out 0xEA, eax
                    hlt
                """.replace("""
                    mov eax, cs
                    out 0xEA, eax         ; not reachable at CPL 3: IN/OUT need IOPL... see below
                    hlt
                """, """
                    mov ebx, 0x1234
                    int 0x80
                """));
        assertEquals(0x1B, guest.values.get(0));
        assertEquals(0x70000, guest.values.get(1));
        assertEquals(0x80000 - 20, guest.values.get(2));
    }

    @Test
    void userModeIoWithoutPermissionFaults() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 13, gp_handler, 0x8E
                    push dword 0x23
                    push dword 0x70000
                    push dword 0x002
                    push dword 0x1B
                    push dword user_code
                    iret
                user_code:
                    out 0xEA, al
                    hlt
                gp_handler:
                    pop eax
                    out 0xEA, eax         ; error code 0
                    mov eax, [esp + 4]
                    out 0xEA, eax         ; faulting CS
                    hlt
                """);
        assertEquals(List.of(0, 0x1B), guest.values);
    }

    @Test
    void pageFaultReportsCr2AndErrorCodeAndSetsAccessedDirtyBits() {
        GuestRunner guest = run("""
                PD equ 0x100000
                PT equ 0x101000
                pm_start:
                    SET_GATE 14, pf_handler, 0x8E
                    ; identity-map the first 4 MiB with 4 KiB pages, except page 0x300 (not present)
                    mov edi, PT
                    mov eax, 0x003        ; present, writable
                    mov ecx, 1024
                .fill:
                    stosd
                    add eax, 0x1000
                    loop .fill
                    mov dword [PT + 0x300*4], 0
                    mov dword [PD], PT | 0x003
                    ; 4 MiB page at 0x400000 -> physical 0 (PSE)
                    mov dword [PD + 4], 0x000000083
                    mov eax, cr4
                    or eax, 0x10
                    mov cr4, eax
                    mov eax, PD
                    mov cr3, eax
                    mov eax, cr0
                    or eax, 0x80000000
                    mov cr0, eax
                    mov dword [0x200010], 0xCAFE    ; write: sets A and D
                    mov eax, [0x400000 + 0x200010]  ; same bytes through the 4 MiB alias
                    out 0xEA, eax
                    mov eax, [PT + 0x200*4]
                    and eax, 0x60
                    out 0xEA, eax                   ; A|D = 0x60
                    mov eax, [PT + 0x201*4]
                    and eax, 0x60
                    out 0xEA, eax                   ; untouched page: 0
                    mov dword [0x300004], 1         ; not present: #PF
                    hlt
                pf_handler:
                    pop eax
                    out 0xEA, eax                   ; error code: write, not present = 2
                    mov eax, cr2
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(0xCAFE, 0x60, 0, 2, 0x300004), guest.values);
        assertEquals(0x300004, guest.cpu.cr2());
    }

    @Test
    void tripleFaultShutsDown() {
        GuestRunner guest = new GuestRunner().load(GuestRunner.PROTECTED_MODE_PRELUDE + """
                pm_start:
                    lidt [empty_idt]
                    ud2
                empty_idt:
                    dw 0
                    dd 0
                """);
        assertEquals(Processor.StopReason.SHUTDOWN, guest.runToHalt(100_000));
    }

    @Test
    void haltWaitsForInterruptThenRunsTheHandler() {
        GuestRunner guest = new GuestRunner().load(GuestRunner.PROTECTED_MODE_PRELUDE + """
                pm_start:
                    SET_GATE 0x20, irq_handler, 0x8E
                    sti
                    hlt
                    mov eax, 2
                    out 0xEA, eax
                    hlt
                irq_handler:
                    mov eax, 1
                    out 0xEA, eax
                    iret
                """);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(100_000));
        assertTrue(guest.values.isEmpty());
        assertEquals(Processor.StopReason.HALTED, guest.cpu.run(1000), "stays halted without an interrupt");
        guest.cpu.setInterruptRequest(true);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(100_000));
        assertEquals(List.of(1, 2), guest.values);
        assertEquals(1, guest.acknowledged);
    }

    @Test
    void cpuidDescribesAFamily6ProcessorWithTheImplementedFeatures() {
        GuestRunner guest = run("""
                pm_start:
                    mov eax, 1
                    cpuid
                    out 0xEA, eax
                    mov eax, edx
                    out 0xEA, eax
                    mov ecx, 0x174        ; SYSENTER_CS round trip
                    mov eax, 0x08
                    xor edx, edx
                    wrmsr
                    xor eax, eax
                    rdmsr
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(6, (guest.values.get(0) >> 8) & 0xF);
        assertEquals(0xA93D, guest.values.get(1)); // FPU DE PSE TSC MSR CX8 SEP PGE CMOV
        assertEquals(0x08, guest.values.get(2));
    }

    @Test
    void selfModifyingCodeRunsTheNewInstruction() {
        GuestRunner guest = run("""
                pm_start:
                    mov ecx, 2
                again:
                    mov byte [patch + 1], 7
                patch:
                    mov eax, 1
                    out 0xEA, eax
                    loop again
                    hlt
                """);
        assertEquals(List.of(7, 7), guest.values);
    }

    /** A page written as data first and run as code afterwards: later writes through the same TLB entry still reach the decoded code. */
    @Test
    void codeOnAPageWrittenBeforeItRanSeesLaterWrites() {
        GuestRunner guest = run("""
                pm_start:
                    mov dword [target + 64], 0    ; a write TLB entry for target's page, before any code there is decoded
                    call target
                    mov byte [target + 1], 7
                    call target
                    hlt
                align 4096
                target:
                    mov eax, 1
                    out 0xEA, eax
                    ret
                    times 128 db 0
                """);
        assertEquals(List.of(1, 7), guest.values);
    }

    @Test
    void sysenterAndSysexitSwitchBetweenFlatSegments() {
        GuestRunner guest = run("""
                pm_start:
                    mov ecx, 0x174
                    mov eax, 0x08
                    xor edx, edx
                    wrmsr
                    mov ecx, 0x175
                    mov eax, 0x80000
                    wrmsr
                    mov ecx, 0x176
                    mov eax, kernel_entry
                    wrmsr
                    mov edx, user_code    ; SYSEXIT target
                    mov ecx, 0x70000      ; user ESP
                    sysexit
                user_code:
                    mov ebx, cs
                    sysenter
                kernel_entry:
                    mov eax, ebx
                    out 0xEA, eax
                    mov eax, esp
                    out 0xEA, eax
                    mov eax, cs
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(0x1B, 0x80000, 0x08), guest.values);
    }

    @Test
    void jumpToTssSwitchesTasks() {
        GuestRunner guest = run("""
                pm_start:
                    mov dword [tss2 + 0x20], task2        ; EIP
                    mov dword [tss2 + 0x24], 0x2          ; EFLAGS
                    mov dword [tss2 + 0x38], 0x60000      ; ESP
                    mov dword [tss2 + 0x28], 0x5678       ; EAX
                    mov word [tss2 + 0x4C], 0x08          ; CS
                    mov word [tss2 + 0x50], 0x10          ; SS
                    mov word [tss2 + 0x54], 0x10          ; DS
                    mov word [tss2 + 0x48], 0x10          ; ES
                    mov eax, 0x1111
                    jmp 0x30:0
                task2:
                    out 0xEA, eax
                    str ax
                    out 0xEA, eax
                    mov eax, [tss + 0x28]                 ; the old task's EAX was saved
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(0x5678, guest.values.get(0));
        assertEquals(0x30, guest.values.get(1) & 0xFFFF);
        assertEquals(0x1111, guest.values.get(2));
    }

    @Test
    void longRepMovsResumesAndTheRestOfTheBlockRunsOnce() {
        GuestRunner guest = run("""
                pm_start:
                    mov edi, 0x200000
                    mov ecx, 10000
                    mov eax, 0x01020304
                    rep stosd
                    mov esi, 0x200000
                    mov edi, 0x300000
                    mov ecx, 40000
                    xor ebx, ebx
                    rep movsb
                    inc ebx
                    mov eax, ebx
                    out 0xEA, eax
                    mov eax, [0x300000 + 39996]
                    out 0xEA, eax
                    mov eax, ecx
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(1, 0x01020304, 0), guest.values);
    }

    @Test
    void callToTaskGateNestsAndIretReturnsToTheCaller() {
        GuestRunner guest = run("""
                pm_start:
                    ; task gate 0x38 (DPL 0) naming TSS 0x30
                    mov word [free_descriptors + 2], 0x30
                    mov byte [free_descriptors + 5], 0x85
                    mov dword [tss2 + 0x20], task2
                    mov dword [tss2 + 0x24], 0x2
                    mov dword [tss2 + 0x38], 0x60000
                    mov word [tss2 + 0x4C], 0x08
                    mov word [tss2 + 0x50], 0x10
                    mov word [tss2 + 0x54], 0x10
                    mov word [tss2 + 0x48], 0x10
                    mov esi, 0xAAAA
                    call 0x38:0
                    mov eax, esi              ; registers of this task were restored
                    out 0xEA, eax
                    str ax
                    out 0xEA, eax
                    mov al, [tss2_descriptor + 5]
                    and eax, 0xFF
                    out 0xEA, eax             ; the nested task is no longer busy: type 9
                    hlt
                task2:
                    pushfd
                    pop eax
                    and eax, 0x4000
                    out 0xEA, eax             ; NT is set in the called task
                    movzx eax, word [tss2]
                    out 0xEA, eax             ; back link names the caller's TSS
                    mov esi, 0x5555
                    iret
                """);
        assertEquals(List.of(0x4000, 0x28, 0xAAAA, 0x28, 0x89), guest.values.stream().map(v -> v & 0xFFFF).toList());
    }

    @Test
    void notPresentStackAndDeviceNotAvailableFaultsCarryTheirErrorCodes() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 7, nm_handler, 0x8E
                    SET_GATE 11, np_handler, 0x8E
                    SET_GATE 12, ss_handler, 0x8E
                    ; 0x38: a data segment that is not present
                    mov dword [free_descriptors], 0x0000FFFF
                    mov dword [free_descriptors + 4], 0x00CF1200
                    mov ax, 0x38
                    mov es, ax                ; #NP(0x38)
                    hlt
                np_handler:
                    pop eax
                    out 0xEA, eax
                    mov eax, cr0
                    or eax, 8                 ; CR0.TS: the next x87 instruction faults
                    mov cr0, eax
                    fninit                    ; #NM
                    hlt
                nm_handler:
                    clts
                    mov eax, 7
                    out 0xEA, eax
                    ; 0x40: expand-down 32-bit data segment, limit 0xFFFF: valid offsets 0x10000-0xFFFFFFFF
                    mov dword [free_descriptors + 8], 0x0000FFFF
                    mov dword [free_descriptors + 12], 0x00409600   ; byte granular, B=1, limit 0xFFFF
                    mov ax, 0x40
                    mov ss, ax                ; ESP 0x90000-ish stays valid
                    mov eax, [ss:0x100]       ; below the expand-down range: #SS(0)
                    hlt
                ss_handler:
                    pop eax
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(0x38, 7, 0), guest.values);
    }

    @Test
    void alignmentCheckFaultsMisalignedUserAccessesOnly() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 17, ac_handler, 0x8E
                    mov eax, cr0
                    or eax, 0x40000           ; CR0.AM
                    mov cr0, eax
                    mov eax, [0x5001]         ; CPL 0: no check
                    push dword 0x23
                    push dword 0x70000
                    push dword 0x43002        ; AC, IOPL 3
                    push dword 0x1B
                    push dword user_code
                    iret
                user_code:
                    mov ax, 0x23              ; DS was nulled by the return to ring 3
                    mov ds, ax
                    mov eax, [0x5004]         ; aligned: fine
                    mov al, [0x5003]          ; bytes are always aligned
                    mov eax, 1
                    out 0xEA, eax
                    mov eax, [0x5002]         ; misaligned dword at CPL 3: #AC(0)
                    jmp $
                ac_handler:
                    pop eax
                    out 0xEA, eax
                    mov eax, [esp + 4]
                    out 0xEA, eax             ; from CS 0x1B
                    hlt
                """);
        assertEquals(List.of(1, 0, 0x1B), guest.values);
    }
}
