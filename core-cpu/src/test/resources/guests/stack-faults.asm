; A kernel stack overflow, as Linux handles it: with paging on, ESP points
; into a not-present page and INT3 cannot push its frame (#PF), the #PF
; cannot push its own (a second #PF: #DF), and the #DF goes through a task
; gate to a task with a good stack, which reports CR2, the error code and
; the state the old task left in its TSS. (SDM vol. 3, 6.15 table 6-5 and
; interrupt 8.)
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

        PRINT {"INT3 with ESP at the bottom of a guard page", 10}
        mov ecx, 0x11111111
        mov esp, GUARD_PAGE + 0x1000 + 8        ; room for two of the frame's three dwords
        int3
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
        NL
        FINISH

%include "tail.inc"
