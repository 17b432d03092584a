; Protected-mode entry and the descriptor-table instructions: CR0 after the
; switch, SGDT/SIDT/STR/SLDT/SMSW, LAR/LSL/VERR/VERW on every kind of
; selector, a 16-bit code segment, and the trip back to real mode with
; 4 GiB segment limits kept in the caches ("unreal" mode).
%include "lib.inc"

main:
        PRINT "pm"
        HEX "cr0", cr0
        mov ax, cs
        HEX16 "cs", ax
        mov ax, ss
        HEX16 "ss", ax
        str ax
        HEX16 "tr", ax
        sldt ax
        HEX16 "ldtr", ax
        smsw ax
        HEX16 "msw", ax
        NL
        sgdt [SCRATCH]
        HEX16 "gdt.limit", [SCRATCH]
        HEX "gdt.base", [SCRATCH + 2]
        sidt [SCRATCH]
        HEX16 "idt.limit", [SCRATCH]
        HEX "idt.base", [SCRATCH + 2]
        NL

        ; Descriptor probes. FREE0: data, not present; FREE1: execute-only code;
        ; FREE2: data with DPL 3 and a 4 KiB limit; FREE3: 286 call gate; FREE4: LDT.
        mov edi, SEL_FREE0
        xor eax, eax
        mov ebx, 0xFFFFF
        mov dx, 0xC013
        call set_descriptor
        mov edi, SEL_FREE1
        mov dx, 0xC098
        call set_descriptor
        mov edi, SEL_FREE2
        mov ebx, 0xFFF
        mov dx, 0x40F3
        call set_descriptor
        mov edi, SEL_FREE3
        mov eax, main
        mov bx, SEL_CODE0
        mov dx, 0x0084
        call set_gate
        mov edi, SEL_FREE4
        mov eax, SCRATCH
        mov ebx, 0xF
        mov dx, 0x0082
        call set_descriptor
        mov esi, probe_selectors
.probe: movzx ebx, word [esi]
        cmp bx, 0xFFFF
        je .probed
        HEX16 "sel", bx
        mov eax, 0xAAAAAAAA
        lar eax, ebx
        pushfd
        HEX "lar", eax
        pop eax
        and eax, 0x40
        HEX8 "zf", al
        mov eax, 0xAAAAAAAA
        lsl eax, ebx
        pushfd
        HEX "lsl", eax
        pop eax
        and eax, 0x40
        HEX8 "zf", al
        verr bx
        setz al
        HEX8 "verr", al
        verw bx
        setz al
        HEX8 "verw", al
        NL
        add esi, 2
        jmp .probe
.probed:

        ; An LDT (FREE4, base SCRATCH) with one data segment at 0x20000.
        mov dword [SCRATCH + 8], 0x0000FFFF
        mov dword [SCRATCH + 12], 0x00CF9302
        mov ax, SEL_FREE4
        lldt ax
        mov ax, 0x000C                  ; LDT entry 1, TI = 1, RPL 0
        mov fs, ax
        mov dword [fs:0x10], 0x1D71D7
        PRINT "ldt"
        sldt ax
        HEX16 "ldtr", ax
        mov ax, fs
        HEX16 "fs", ax
        HEX "flat", [0x20010]
        mov ebx, 0x000C
        lar eax, ebx
        HEX "lar", eax
        lsl eax, ebx
        HEX "lsl", eax
        NL

        ; A 16-bit code segment: operand and address size default to 16,
        ; and a 16-bit interrupt gate there pushes a 16-bit frame.
        mov eax, int16_handler - $$
        mov edi, 0x34
        mov bx, SEL_CODE16
        mov dl, 0x86                    ; 16-bit interrupt gate
        call set_idt_gate
        call SEL_CODE16:(int16_caller - $$)
        PRINT "int16"
        HEX16 "ip", [SCRATCH + 0x20]
        HEX16 "cs", [SCRATCH + 0x22]
        HEX16 "flags", [SCRATCH + 0x24]
        HEX16 "sp", [SCRATCH + 0x26]
        NL

        call SEL_CODE16:(code16 - $$)
        HEX "from16", eax
        NL

        ; Back to real mode with FS and GS holding 4 GiB limits.
        mov ax, SEL_DATA0
        mov fs, ax
        mov gs, ax
        mov dword [0x200000], 0x600DF00D
        mov dword [0x10010], 0
        jmp SEL_CODE16:(to_real - $$)
back32:
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, STACK0_TOP
        PRINT "back"
        HEX "unreal.read", [SCRATCH + 0x10]
        HEX "unreal.write", [0x200004]
        HEX "real.es", [0x10010]
        HEX "real.cr0", [SCRATCH + 0x14]
        NL
        FINISH

        bits 16
code16:
        mov eax, 0x12345678
        mov ax, sp                      ; a 16-bit SP read: the high half stays
        o32 retf

int16_caller:
        mov ax, SEL_DATA0
        mov ds, ax
        int 0x34
        o32 retf

int16_handler:
        mov bp, sp
        mov ax, [bp]
        mov [dword SCRATCH + 0x20], ax
        mov ax, [bp + 2]
        mov [dword SCRATCH + 0x22], ax
        mov ax, [bp + 4]
        and ax, 0x0FD5                  ; the defined flags
        mov [dword SCRATCH + 0x24], ax
        mov [dword SCRATCH + 0x26], sp
        iret

to_real:
        mov eax, cr0
        and al, 0xFE
        mov cr0, eax
        jmp 0xF000:(real_mode - $$)
real_mode:
        xor ax, ax
        mov gs, ax                      ; a real-mode load sets the base, the limit stays 4 GiB
        mov eax, [gs:dword 0x200000]
        mov [gs:dword SCRATCH + 0x10], eax
        mov dword [gs:dword 0x200004], 0xCAFEBABE
        mov ax, 0x1000
        mov es, ax
        mov word [es:0x10], 0xBEEF      ; 0x1000 * 16 + 0x10
        mov eax, cr0
        mov [gs:dword SCRATCH + 0x14], eax
        or al, 1
        mov cr0, eax
        jmp dword SEL_CODE0:back32
        bits 32

probe_selectors:
        dw 0x0000, SEL_CODE0, SEL_DATA0, SEL_CODE3, SEL_DATA3, SEL_TSS0, SEL_CODE16
        dw SEL_FREE0, SEL_FREE1, SEL_FREE2 | 3, SEL_FREE3, SEL_FREE4, SEL_FREE5, 0x0404, 0xFFF8, 0xFFFF

%include "tail.inc"
