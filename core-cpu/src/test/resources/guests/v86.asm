; Virtual-8086 mode (VME off): entry by IRETD with EFLAGS.VM, real-mode
; segment arithmetic, INT n to a protected-mode handler with the V86 frame
; (and IRETD back), and the IOPL-sensitive instructions: with IOPL 3 CLI,
; PUSHF, POPF and INT n run; with IOPL 0 they raise #GP(0). IN/OUT follow
; the TSS I/O bitmap whatever the IOPL (COM1 open, port 0x80 closed).
%include "lib.inc"

VEC_V86         equ 0x33
V86_STACK       equ 0x7000
EFLAGS_VM_BIT   equ 0x20000

; TO_V86 label, eflags: IRETD into V86 at F000:label with DS = F000.
%macro TO_V86 2
        push dword 0                    ; GS
        push dword 0                    ; FS
        push dword 0xF000               ; DS
        push dword 0                    ; ES
        push dword 0                    ; SS
        push dword V86_STACK
        push dword %2 | EFLAGS_VM_BIT
        push dword 0xF000
        push dword %1 - $$
        iretd
%endmacro

%macro PRINT16 1
        jmp %%after
%%text: db %1, 0
%%after:
        push si
        mov si, %%text - $$
        call puts16
        pop si
%endmacro

main:
        mov eax, v86_interrupt
        mov edi, VEC_V86
        mov bx, SEL_CODE0
        mov dl, 0xEE                    ; interrupt gate, DPL 3
        call set_idt_gate

        PRINT {"V86 with IOPL 3", 10}
        EXPECT .iopl0
        TO_V86 v86_iopl3, 0x3002

.iopl0: HEX16 "es:20", [0x10020]
        NL
        PRINT {"CLI with IOPL 0", 10}
        EXPECT .t2
        TO_V86 v86_cli, 0x0002
.t2:    PRINT {"PUSHF with IOPL 0", 10}
        EXPECT .t3
        TO_V86 v86_pushf, 0x0002
.t3:    PRINT {"INT with IOPL 0", 10}
        EXPECT .t4
        TO_V86 v86_int, 0x0002
.t4:    PRINT {"IN from a closed port", 10}
        EXPECT .t5
        TO_V86 v86_in, 0x3002
.t5:    PRINT {"HLT", 10}
        EXPECT .t6
        TO_V86 v86_hlt, 0x3002
.t6:    PRINT {"STI, POPF and IRET with IOPL 0", 10}
        EXPECT .t7
        TO_V86 v86_sti, 0x0002
.t7:    EXPECT .t8
        TO_V86 v86_popf, 0x0002
.t8:    EXPECT .t9
        TO_V86 v86_iret, 0x0002
.t9:    PRINT {"INT3 through a DPL-0 gate", 10}
        EXPECT .t10
        TO_V86 v86_int3, 0x3002
.t10:   FINISH

; Protected-mode handler for INT 33h from V86: the frame holds EIP, CS,
; EFLAGS, ESP, SS, ES, DS, FS, GS, and the data segment registers are null.
v86_interrupt:
        mov ax, ds
        mov bx, gs
        push dword SEL_DATA0
        pop ds
        PRINT "pm handler"
        HEX16 "ds", ax
        HEX16 "gs", bx
        HEX "eip", [esp]
        HEX16 "cs", [esp + 4]
        HEX "eflags", [esp + 8]
        HEX "esp", [esp + 12]
        HEX16 "ss", [esp + 16]
        HEX16 "es", [esp + 20]
        HEX16 "v86.ds", [esp + 24]
        NL
        iretd

        bits 16
%include "serial16.inc"

v86_iopl3:
        PRINT16 "v86 cs="
        mov ax, cs
        call hex16
        PRINT16 " flags="
        pushf
        pop ax
        call hex16
        cli
        pushf
        pop ax
        PRINT16 " after.cli="
        call hex16
        push word 0x0002
        popf                            ; IOPL 3: allowed, but cannot change IOPL in V86
        pushf
        pop ax
        PRINT16 " after.popf="
        call hex16
        PRINT16 {10}
        mov ax, 0x1000
        mov es, ax
        mov word [es:0x20], 0x4242
        int VEC_V86
        PRINT16 {"back in v86", 10}
        int VEC_RESUME

v86_cli:
        cli
v86_pushf:
        pushf
v86_int:
        int VEC_V86
v86_in:
        in al, 0x80
v86_hlt:
        hlt
v86_sti:
        sti
v86_popf:
        push word 0
        popf
v86_iret:
        push word 0
        push word 0xF000
        push word v86_hlt - $$
        iret
v86_int3:
        int3
        bits 32

%include "tail.inc"
