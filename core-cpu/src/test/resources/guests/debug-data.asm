; A data write breakpoint in DR1 (DR7 R/W = 01): #DB after the store that
; hits it, none for a store elsewhere, with DR6.B1 set.
%include "lib.inc"
%include "debug-trap.inc"

main:
        INSTALL_DEBUG_TRAP

        PRINT {"DR1 write breakpoint", 10}
        mov dword [steps], 0
        xor eax, eax
        mov dr6, eax
        mov eax, SCRATCH + 0x200
        mov dr1, eax
        mov eax, 0x00D00008             ; G1, write, 4 bytes
        mov dr7, eax
        mov dword [SCRATCH + 0x100], 1  ; elsewhere: no trap
        mov dword [SCRATCH + 0x200], 2  ; traps after the store
        nop
        xor eax, eax
        mov dr7, eax
        HEX "steps", [steps]
        HEX "value", [SCRATCH + 0x200]
        mov eax, dr6
        and eax, 0xF
        HEX "dr6.b", eax
        NL
        FINISH

; #DB: print where and count.
debug_trap:
        REPORT_DEBUG_TRAP
        iretd

%include "tail.inc"
