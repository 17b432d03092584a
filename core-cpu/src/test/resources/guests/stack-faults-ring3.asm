; As stack-faults.asm, but the frame that cannot be pushed is the one on the
; ring-0 stack of an INT from ring 3 (TSS.ESP0 points just above a
; not-present page): the #DF task must find the ring-3 task's state intact
; in its TSS (CS, SS and ESP of ring 3), since a fault during the delivery
; leaves the processor as it was before the INT (SDM vol. 3, 6.5).
%include "lib.inc"

PAGE_DIR        equ 0x10000
PT0             equ 0x11000
TSS2            equ 0x6200
SEL_TSS2        equ SEL_FREE0
GUARD_PAGE      equ 0x40000                     ; not present: the stack grows down into it
TSS_EIP         equ 0x20
TSS_EFLAGS      equ 0x24
TSS_ESP         equ 0x38
TSS_ES          equ 0x48
TSS_CR3         equ 0x1C

main:
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov edi, PT0
        mov eax, 0x003                  ; present, writable
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [PAGE_DIR], PT0 | 3
        and dword [PT0 + (GUARD_PAGE >> 12) * 4], ~1
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged:
        ; The double-fault task: flat ring-0 segments, its own stack, the same page tables.
        mov edi, TSS2
        xor eax, eax
        mov ecx, 0x68 / 4
        rep stosd
        mov dword [TSS2 + TSS_EIP], double_fault_task
        mov dword [TSS2 + TSS_EFLAGS], 0x0002
        mov dword [TSS2 + TSS_ESP], STACK1_TOP
        mov dword [TSS2 + TSS_CR3], PAGE_DIR
        mov dword [TSS2 + TSS_ES], SEL_DATA0
        mov dword [TSS2 + TSS_ES + 4], SEL_CODE0
        mov dword [TSS2 + TSS_ES + 8], SEL_DATA0
        mov dword [TSS2 + TSS_ES + 12], SEL_DATA0
        mov word [TSS2 + 0x66], 0x68
        mov edi, SEL_TSS2
        mov eax, TSS2
        mov ebx, 0x67
        mov dx, 0x0089
        call set_descriptor
        mov edi, 8
        xor eax, eax
        mov bx, SEL_TSS2
        mov dl, 0x85                    ; task gate
        call set_idt_gate

        PRINT {"INT 30h from ring 3 with ESP0 in a guard page", 10}
        mov dword [TSS0 + 4], GUARD_PAGE + 0x1000 + 8
        TO_RING3 .r3, 0x0002
.r3:    int 0x30
        PRINT {"not reached", 10}
        FINISH

double_fault_task:
        PRINT "#DF task"
        HEX "error", [esp]
        mov eax, cr2
        HEX "cr2", eax
        HEX16 "backlink", [TSS2]
        HEX "old.esp", [TSS0 + TSS_ESP]
        HEX "old.ecx", [TSS0 + 0x2C]
        HEX16 "old.cs", [TSS0 + 0x4C]
        HEX16 "old.ss", [TSS0 + 0x50]
        HEX "old.eip", [TSS0 + 0x20]
        NL
        FINISH

%include "tail.inc"
