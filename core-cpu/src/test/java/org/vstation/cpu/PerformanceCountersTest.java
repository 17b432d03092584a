package org.vstation.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The P6 PerfEvtSel/PerfCtr MSRs as a guest (Linux's perf driver) programs them. */
class PerformanceCountersTest {

    private static GuestRunner run(String body) {
        GuestRunner guest = new GuestRunner().load(GuestRunner.PROTECTED_MODE_PRELUDE + body);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(1_000_000), guest.cpu.describeState());
        return guest;
    }

    @Test
    void counterWritesSignExtendBit31ThroughBit39AndReadBack() {
        GuestRunner guest = run("""
                pm_start:
                    mov ecx, 0xC1             ; PerfCtr0: what Linux's check_hw_exists writes
                    mov eax, 0xABCD
                    xor edx, edx
                    wrmsr
                    xor eax, eax
                    rdmsr
                    out 0xEA, eax
                    mov ecx, 0xC2             ; PerfCtr1: bit 31 set, EDX ignored
                    mov eax, 0x80000001
                    mov edx, 0x12345678
                    wrmsr
                    xor eax, eax
                    rdmsr
                    out 0xEA, eax
                    mov eax, edx
                    out 0xEA, eax
                    mov ecx, 1                ; RDPMC reads the same 40-bit counter
                    xor eax, eax
                    xor edx, edx
                    rdpmc
                    out 0xEA, eax
                    mov eax, edx
                    out 0xEA, eax
                    mov ecx, 0x187            ; PerfEvtSel1 holds its value while disabled
                    mov eax, 0x0003_00C0
                    xor edx, edx
                    wrmsr
                    xor eax, eax
                    rdmsr
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(0xABCD, 0x8000_0001, 0xFF, 0x8000_0001, 0xFF, 0x0003_00C0), guest.values);
    }

    @Test
    void rdpmcOfAMissingCounterRaisesGeneralProtection() {
        GuestRunner guest = run("""
                pm_start:
                    SET_GATE 13, gp_handler, 0x8E
                    mov ecx, 2
                    rdpmc
                    hlt
                gp_handler:
                    mov eax, 13
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(13), guest.values);
    }

    @Test
    void cr4PceCanBeSetForUserModeRdpmc() {
        GuestRunner guest = run("""
                pm_start:
                    mov eax, cr4
                    or eax, 0x100             ; PCE, which Linux sets for tasks that map perf events
                    mov cr4, eax
                    mov eax, cr4
                    out 0xEA, eax
                    hlt
                """);
        assertEquals(List.of(0x100), guest.values);
    }

    @Test
    void instructionsRetiredCountsOnlyWhileEnabled() {
        GuestRunner guest = run("""
                pm_start:
                    mov ecx, 0xC1
                    xor eax, eax
                    xor edx, edx
                    wrmsr
                    mov ecx, 0x186            ; EN | OS | USR, event C0h: INST_RETIRED
                    mov eax, 0x0043_00C0
                    wrmsr
                    mov ebx, 100
                .loop:
                    dec ebx
                    jnz .loop                 ; 200 instructions
                    mov ecx, 0x186
                    xor eax, eax
                    wrmsr                     ; disabled: the count stays
                    mov ebx, 100
                .idle:
                    dec ebx
                    jnz .idle
                    mov ecx, 0xC1
                    rdmsr
                    out 0xEA, eax
                    hlt
                """);
        // The 200 of the loop plus the few around it; the 200 of the idle loop must not count.
        int counted = guest.values.get(0);
        assertTrue(counted >= 200 && counted <= 210, "PerfCtr0 = " + counted);
    }
}
