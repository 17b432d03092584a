; Single-step traps and debug registers: a #DB after every instruction while
; TF is set (and TF as PUSHFD sees it), an execution breakpoint in DR0 that
; faults before the instruction (RF lets it run on IRET), with DR6 telling
; which one hit. (Data breakpoints: debug-data.asm.) Not here: the single-step trap held back after MOV SS (SDM vol. 3,
; 6.8.3), which QEMU 7.2 delivers at once, so it cannot be the reference.
%include "lib.inc"
%include "debug-trap.inc"

main:
        INSTALL_DEBUG_TRAP

        PRINT {"single step", 10}
        mov dword [steps], 0
        pushfd
        or dword [esp], 0x100
        popfd
        mov eax, 1                      ; the first trap is after this instruction
        add eax, eax
        inc eax
        pushfd
        pop ecx
        nop
stop_stepping:
        and ecx, 0x100
        HEX "pushed.tf", ecx
        HEX "steps", [steps]
        NL

        PRINT {"DR0 execution breakpoint", 10}
        mov dword [steps], 0
        mov eax, breakpoint
        mov dr0, eax
        mov eax, 0x00000002             ; G0, execute, 1 byte
        mov dr7, eax
        xor eax, eax
        mov dr6, eax
breakpoint:
        inc eax                         ; #DB before it runs, then once more with RF set: not again
        HEX "eax", eax
        HEX "steps", [steps]
        mov eax, dr6
        and eax, 0xF
        HEX "dr6.b", eax
        NL

        FINISH

; #DB: print where, count, stop single-stepping at stop_stepping.
debug_trap:
        REPORT_DEBUG_TRAP
        cmp dword [esp], stop_stepping
        jne .keep
        and dword [esp + 8], ~0x100     ; clear TF in the frame
.keep:  cmp dword [esp], breakpoint
        jne .done
        or dword [esp + 8], 0x10000     ; RF: the breakpoint does not hit again on return
.done:  iretd

%include "tail.inc"
