package org.vstation.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** V86 mode, call gates, single-step and breakpoints, unreal mode, the A20 gate, NMI. */
class SystemFeaturesTest {

    private static GuestRunner run(String body) {
        GuestRunner guest = new GuestRunner().load(GuestRunner.PROTECTED_MODE_PRELUDE + body);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1_000_000), guest.cpu.describeState());
        return guest;
    }

    @Test
    void v86ModeTrapsIoplSensitiveInstructionsToTheMonitor() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 13, gp_handler, 0x8E
                    push dword 0          ; GS
                    push dword 0          ; FS
                    push dword 0x0100     ; DS
                    push dword 0          ; ES
                    push dword 0          ; SS
                    push dword 0x7000     ; ESP
                    push dword 0x20002    ; EFLAGS: VM, IOPL 0
                    push dword 0          ; CS
                    push dword v86_code   ; EIP
                    iret
                bits 16
                v86_code:
                    mov ax, [0x10]        ; DS = 0x100: linear 0x1010
                    mov bx, ds
                    cli                   ; IOPL 0: #GP to the monitor
                bits 32
                gp_handler:
                    pop eax
                    out 0xEA, eax         ; error code 0
                    mov eax, [esp + 8]
                    and eax, 0x20000
                    out 0xEA, eax         ; pushed EFLAGS has VM
                    mov eax, [esp + 24]
                    out 0xEA, eax         ; pushed DS (frame: EIP CS EFLAGS ESP SS ES DS FS GS)
                    mov eax, ebx
                    and eax, 0xFFFF
                    out 0xEA, eax
                    mov eax, ds
                    out 0xEA, eax         ; DS was nulled on entry to the monitor
                    hlt
                """);
        assertEquals(List.of(0, 0x20000, 0x100, 0x100, 0), guest.values);
    }

    @Test
    void callGateRaisesPrivilegeCopiesParametersAndRetfReturns() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 13, gp_handler, 0x8E
                    ; call gate 0x38: DPL 3, 32-bit, one parameter, target 0x08:kernel
                    mov eax, kernel
                    mov word [free_descriptors], ax
                    mov word [free_descriptors + 2], 0x08
                    mov byte [free_descriptors + 4], 1
                    mov byte [free_descriptors + 5], 0xEC
                    shr eax, 16
                    mov word [free_descriptors + 6], ax
                    push dword 0x23
                    push dword 0x70000
                    push dword 0x3002     ; IOPL 3 so ring 3 may OUT
                    push dword 0x1B
                    push dword user_code
                    iret
                user_code:
                    push dword 0xABCD     ; the parameter
                    call 0x3B:0
                    mov eax, cs
                    out 0xEA, eax
                    mov eax, esp
                    out 0xEA, eax
                    hlt                   ; privileged: #GP ends the test in ring 0
                kernel:
                    mov eax, cs
                    out 0xEA, eax
                    mov eax, [esp + 8]    ; copied parameter above the return CS:EIP
                    out 0xEA, eax
                    mov eax, esp
                    out 0xEA, eax
                    retf 4
                gp_handler:
                    hlt
                """);
        assertEquals(List.of(0x08, 0xABCD, 0x80000 - 20, 0x1B, 0x70000), guest.values); // inner stack: SS ESP param CS EIP
    }

    @Test
    void trapFlagSingleStepsAndBreakpointHits() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 1, db_handler, 0x8E
                    xor esi, esi
                    pushfd
                    or dword [esp], 0x100
                    popfd
                    nop
                    nop
                    nop
                    pushfd
                    and dword [esp], ~0x100
                    popfd
                    mov eax, esi
                    out 0xEA, eax         ; traps counted
                    mov eax, breakpoint
                    mov dr0, eax
                    mov eax, 1
                    mov dr7, eax
                    xor esi, esi
                breakpoint:
                    inc esi
                    mov eax, esi
                    out 0xEA, eax
                    mov eax, dr6
                    and eax, 0xF
                    out 0xEA, eax
                    hlt
                db_handler:
                    add esi, 100
                    or dword [esp + 8], 0x10000   ; RF: do not break again on return
                    iret
                """);
        // POPFD sets TF: traps follow the three NOPs, PUSHFD, AND and the POPFD that clears TF.
        assertEquals(List.of(600, 101, 1), guest.values);
    }

    @Test
    void unrealModeKeepsA4GiBLimitAfterLeavingProtectedMode() {
        GuestRunner guest = new GuestRunner().load("""
                bits 16
                    cli
                    xor ax, ax
                    mov ds, ax
                    lgdt [gdtr]
                    mov eax, cr0
                    or al, 1
                    mov cr0, eax
                    mov bx, 0x08
                    mov ds, bx
                    and al, 0xFE
                    mov cr0, eax
                    xor ax, ax
                    mov ds, ax
                    mov dword [dword 0x200000], 0x12345678
                    mov eax, [dword 0x200000]
                    out 0xEA, eax
                    hlt
                align 8
                gdt: dq 0
                    dq 0x00CF92000000FFFF
                gdtr: dw 15
                    dd gdt
                """);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(10_000));
        assertEquals(List.of(0x12345678), guest.values);
        assertEquals(0x78, guest.memory.read8(0x200000));
    }

    @Test
    void a20GateWrapsAddressesAtOneMegabyte() {
        GuestRunner guest = new GuestRunner().load("""
                bits 16
                    mov ax, 0xFFFF
                    mov ds, ax
                    mov byte [0x10], 0x5A     ; linear 0x100000
                    hlt
                """);
        guest.cpu.setA20Enabled(false);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1000));
        assertEquals(0x5A, guest.memory.read8(0));
        assertEquals(0, guest.memory.read8(0x100000));
    }

    @Test
    void nmiIsDeliveredThroughVector2EvenWithInterruptsDisabled() {
        GuestRunner guest = new GuestRunner().load("""
                bits 16
                    xor ax, ax
                    mov ds, ax
                    mov word [2*4], nmi_handler
                    mov word [2*4+2], 0
                    cli
                    hlt
                    hlt
                nmi_handler:
                    mov al, 'N'
                    out 0xE9, al
                    iret
                """);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1000));
        guest.cpu.raiseNmi();
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1000));
        assertEquals("N", guest.text.toString());
    }

    @Test
    void movSsShadowsTheNextInstructionFromInterrupts() {
        GuestRunner guest = new GuestRunner().load("""
                bits 16
                    xor ax, ax
                    mov ds, ax
                    mov ss, ax
                    mov sp, 0x7000
                    mov word [0x20*4], handler
                    mov word [0x20*4+2], 0
                    sti
                    mov ss, ax
                    mov al, 'a'
                    out 0xE9, al
                    hlt
                handler:
                    mov al, 'i'
                    out 0xE9, al
                    iret
                """);
        guest.cpu.setInterruptRequest(true);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1000));
        // STI shields MOV SS, which shields MOV AL: the interrupt comes after MOV AL, so the
        // handler's AL is what the final OUT prints. Without the shadows the output would be "ia".
        assertEquals("ii", guest.text.toString());
    }
}
