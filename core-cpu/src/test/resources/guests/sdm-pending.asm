; Like sdm-checks.asm, checked against sdm-pending.expected (from the Intel
; SDM) because QEMU's TCG does not make these checks: #AC(0) for a misaligned
; load at CPL 3 with CR0.AM and EFLAGS.AC set (vol. 3, 6.15, interrupt 17),
; and the single-step trap held back for one instruction after MOV SS
; (vol. 3, 6.8.3).
%include "lib.inc"

main:
        PRINT {"#AC", 10}
        mov eax, cr0
        or eax, 0x40000                 ; AM
        mov cr0, eax
        EXPECT_AT .ac2, .ac1
        push dword SEL_DATA3
        push dword STACK3_TOP
        push dword 0x40002              ; AC
        push dword SEL_CODE3
        push dword .ac_ring3
        iretd
.ac_ring3:
        mov ax, SEL_DATA3
        mov ds, ax
.ac1:   mov eax, [SCRATCH + 1]
.ac2:   mov eax, cr0
        and eax, ~0x40000
        mov cr0, eax
        PRINT {"single step over MOV SS", 10}
        mov eax, step_trap
        mov edi, 1
        mov bx, SEL_CODE0
        mov dl, 0x8E
        call set_idt_gate
        pushfd
        or dword [esp], 0x100
        popfd
step_start:
        mov ax, ss                      ; trap after this one (offset 3)
        mov ss, ax                      ; none after this one (offset 5) ...
        nop                             ; ... but after this one (offset 6)
step_stop:
        FINISH

step_trap:
        PRINT "#DB"
        push eax
        mov eax, [esp + 4]
        sub eax, step_start
        HEX "after", eax
        pop eax
        NL
        cmp dword [esp], step_stop
        jne .keep
        and dword [esp + 8], ~0x100
.keep:  iretd

%include "tail.inc"
