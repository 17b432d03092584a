; Hardware task switching: JMP to a TSS (busy bits move, no back link), CALL
; to a TSS and INT through a task gate (NT and back link set, IRET returns),
; the outgoing task's registers saved in its TSS, CR0.TS set by every
; switch, #GP for a jump to a busy TSS, and a double fault delivered
; through a task gate (as Linux sets it up) with its error code on the new
; task's stack.
%include "lib.inc"

VEC_TASK        equ 0x32
TSS_BACKLINK    equ 0x00
TSS_EIP         equ 0x20
TSS_EFLAGS      equ 0x24
TSS_ECX         equ 0x2C
TSS_ESP         equ 0x38
TSS_ES          equ 0x48
SEL_TSS2        equ SEL_FREE0

%macro TYPES 0                          ; access bytes of both TSS descriptors
        HEX8 "tss0.type", [GDT_RAM + SEL_TSS0 + 5]
        HEX8 "tss1.type", [GDT_RAM + SEL_TSS1 + 5]
%endmacro

main:
        mov edi, SEL_TSS1
        mov eax, TSS1
        mov ebx, 0x67
        mov dx, 0x0089
        call set_descriptor
        mov edi, VEC_TASK               ; task gate: the selector is the TSS, the offset unused
        xor eax, eax
        mov bx, SEL_TSS1
        mov dl, 0x85
        call set_idt_gate

        PRINT "JMP to TSS1"
        mov eax, task_b_jmp
        call init_tss1
        mov ecx, 0xC0FFEE01
        jmp SEL_TSS1:0
after_jmp:
        PRINT "back in A"
        HEX "ecx", ecx
        str ax
        HEX16 "tr", ax
        TYPES
        HEX "tss1.eip", [TSS1 + TSS_EIP]
        NL

        PRINT "CALL to TSS1"
        mov eax, task_b_nested
        call init_tss1
        call SEL_TSS1:0
        PRINT "returned to A"
        call show_flags
        TYPES
        NL

        PRINT "INT through a task gate"
        mov eax, task_b_nested
        call init_tss1
        int VEC_TASK
        PRINT "returned to A"
        call show_flags
        TYPES
        NL

        PRINT {"JMP to the busy TSS0", 10}
        EXPECT .busy
        jmp SEL_TSS0:0
.busy:  PRINT {"#DF through a task gate", 10}
        mov edi, TSS2
        mov eax, task_double_fault
        call init_tss
        mov edi, SEL_TSS2
        mov eax, TSS2
        mov ebx, 0x67
        mov dx, 0x0089
        call set_descriptor
        mov edi, 8
        xor eax, eax
        mov bx, SEL_TSS2
        mov dl, 0x85
        call set_idt_gate
        and byte [IDT_RAM + 0 * 8 + 5], 0x7F    ; #DE's gate not present: #DE, then #NP, is a #DF
        mov ecx, 0x5A5A5A5A
        xor edx, edx
        div edx
        PRINT {"not reached", 10}
        FINISH

task_double_fault:
        PRINT "double-fault task"
        str ax
        HEX16 "tr", ax
        call show_flags
        HEX16 "backlink", [TSS2 + TSS_BACKLINK]
        HEX "error", [esp]
        HEX "esp", esp
        HEX "tss0.ecx", [TSS0 + TSS_ECX]
        HEX8 "tss2.type", [GDT_RAM + SEL_TSS2 + 5]
        NL
        FINISH

; EAX: where task B starts. A fresh TSS1: ring-0 flat segments, its own stack.
init_tss1:
        push edi
        mov edi, TSS1
        call init_tss
        pop edi
        ret

; EDI: the TSS, EAX: where its task starts.
init_tss:
        pushad
        push eax
        push edi
        xor eax, eax
        mov ecx, 0x68 / 4
        rep stosd
        pop edi
        pop eax
        mov [edi + TSS_EIP], eax
        mov dword [edi + TSS_EFLAGS], 0x0002
        mov dword [edi + TSS_ESP], STACK1_TOP
        mov dword [edi + TSS_ES + 0], SEL_DATA0
        mov dword [edi + TSS_ES + 4], SEL_CODE0
        mov dword [edi + TSS_ES + 8], SEL_DATA0
        mov dword [edi + TSS_ES + 12], SEL_DATA0
        mov word [edi + 0x66], 0x68
        popad
        ret

show_flags:
        pushfd
        pop eax
        and eax, 0x4000
        HEX "nt", eax
        mov eax, cr0
        and eax, 0x8
        HEX "cr0.ts", eax
        clts
        ret

task_b_jmp:
        NL
        PRINT "in B"
        str ax
        HEX16 "tr", ax
        call show_flags
        HEX16 "backlink", [TSS1 + TSS_BACKLINK]
        TYPES
        HEX "tss0.eip", [TSS0 + TSS_EIP]
        HEX "tss0.ecx", [TSS0 + TSS_ECX]
        NL
        jmp SEL_TSS0:0
        PRINT {"B resumed", 10}         ; not reached: nobody switches back to B
        FINISH

task_b_nested:
        NL
        PRINT "in B"
        call show_flags
        HEX16 "backlink", [TSS1 + TSS_BACKLINK]
        TYPES
        mov ecx, 0x0B0B0B0B
        NL
        iretd

%include "tail.inc"
