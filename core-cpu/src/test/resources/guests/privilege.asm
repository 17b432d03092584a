; Privilege changes: IRET to ring 3, a call gate with parameter copy and the
; stack switch through TSS.ESP0, RETF to the outer ring (data segments of a
; higher privilege are nulled), a conforming code segment, INT from ring 3
; through gates of DPL 3 and DPL 0, IOPL-sensitive instructions and the
; I/O permission bitmap. Each ring-3 trip ends in an exception or INT 30h
; and continues at ring 0 at the EXPECTed label.
%include "lib.inc"

VEC_DPL0        equ 0x31

main:
        ; FREE0: call gate, DPL 3, two dword parameters, to gate_target.
        mov edi, SEL_FREE0
        mov eax, gate_target
        mov bx, SEL_CODE0
        mov dx, 0x02EC
        call set_gate
        ; FREE1: conforming code, DPL 0.
        mov edi, SEL_FREE1
        xor eax, eax
        mov ebx, 0xFFFFF
        mov dx, 0xC09F
        call set_descriptor
        ; Vector 0x31: interrupt gate of DPL 0 (ring 3 may not use it).
        mov eax, main
        mov edi, VEC_DPL0
        mov bx, SEL_CODE0
        mov dl, 0x8E
        call set_idt_gate

        PRINT {"ring 3 with IOPL 0", 10}
        EXPECT r0_1
        TO_RING3 r3_1, 0x0002
r3_1:   mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        PRINT "ring3"
        mov ax, cs
        HEX16 "cs", ax
        mov ax, ss
        HEX16 "ss", ax
        HEX "esp", esp
        pushfd
        pop eax
        HEX "eflags", eax
        NL
        push dword 0x11111111
        push dword 0x22222222
        call SEL_FREE0 | 3:0            ; the gate's offset is in the descriptor
        PRINT "back in ring3"
        HEX "esp", esp
        mov ax, fs
        HEX16 "fs", ax
        mov ax, ds
        HEX16 "ds", ax
        NL
        call SEL_FREE1:conforming
        HEX16 "conforming.cs", [SCRATCH + 0x100]
        NL
        int VEC_RESUME

r0_1:   PRINT {"DPL-0 data segment at CPL 3", 10}
        EXPECT r0_2
        TO_RING3 r3_2, 0x0002
r3_2:   mov ax, SEL_DATA0
        mov ds, ax

r0_2:   PRINT {"INT through a DPL-0 gate at CPL 3", 10}
        EXPECT r0_3
        TO_RING3 r3_3, 0x0002
r3_3:   int VEC_DPL0

r0_3:   PRINT {"CLI with IOPL 0", 10}
        EXPECT r0_4
        TO_RING3 r3_4, 0x0002
r3_4:   cli

r0_4:   PRINT {"IN from a port the bitmap denies", 10}
        EXPECT r0_5
        TO_RING3 r3_5, 0x0002
r3_5:   in al, 0x80

r0_5:   PRINT {"HLT at CPL 3", 10}
        EXPECT r0_6
        TO_RING3 r3_6, 0x0002
r3_6:   hlt

r0_6:   PRINT {"MOV to CR0 at CPL 3", 10}
        EXPECT r0_7
        TO_RING3 r3_7, 0x0002
r3_7:   mov eax, cr0
        mov cr0, eax

r0_7:   PRINT {"ring 3 with IOPL 3", 10}
        EXPECT r0_8
        TO_RING3 r3_8, 0x3002
r3_8:   mov ax, SEL_DATA3
        mov ds, ax
        cli
        in al, 0x80
        pushfd
        and dword [esp], ~0x3000        ; try to drop IOPL: ignored at CPL 3
        popfd
        pushfd
        pop eax
        HEX "eflags", eax
        NL
        int VEC_RESUME

r0_8:   FINISH

; Call-gate target at CPL 0: on the ring-0 stack from TSS0.ESP0 are EIP, CS,
; the two copied parameters, and the caller's ESP and SS.
gate_target:
        PRINT "gate"
        mov ax, cs
        HEX16 "cs", ax
        mov ax, ss
        HEX16 "ss", ax
        HEX "esp", esp
        HEX "eip", [esp]
        HEX16 "cs", [esp + 4]
        HEX "p0", [esp + 8]
        HEX "p1", [esp + 12]
        HEX "esp3", [esp + 16]
        HEX16 "ss3", [esp + 20]
        NL
        mov ax, SEL_DATA0
        mov fs, ax
        retf 8

conforming:
        mov ax, cs
        mov [SCRATCH + 0x100], ax
        retf

%include "tail.inc"
