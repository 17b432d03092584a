; Each exception with its error code and saved EIP: #DE #DB (TF and DR0)
; #BP #OF #BR #UD #NM #DF #TS #NP #SS #GP. (#PF and a string instruction
; faulting part-way are in paging.asm.) Not here, because QEMU's TCG does
; not make these checks and so cannot be the reference for them: segment
; limits and segment types (writes through a code segment, a null DS) on
; data accesses, #AC, reserved CR4 bits, CR0.PG without PE.
%include "lib.inc"

main:
        ; FREE0: data, not present. FREE1: data, 4 KiB limit, base 0x20000.
        ; FREE2: expand-down data. FREE3: execute-only code.
        mov edi, SEL_FREE0
        xor eax, eax
        mov ebx, 0xFFFFF
        mov dx, 0xC013
        call set_descriptor
        mov edi, SEL_FREE1
        mov eax, 0x20000
        mov ebx, 0xFFF
        mov dx, 0x4093
        call set_descriptor
        mov edi, SEL_FREE2
        mov eax, 0x20000
        mov ebx, 0xFFF
        mov dx, 0x4097
        call set_descriptor
        mov edi, SEL_FREE3
        xor eax, eax
        mov ebx, 0xFFFFF
        mov dx, 0xC098
        call set_descriptor

        PRINT {"#DE", 10}
        EXPECT .de8
        xor ecx, ecx
        div ecx
.de8:   EXPECT .db
        mov ax, 0x8000
        mov cl, 0xFF
        idiv cl                         ; quotient -128 fits? 0x8000 / -1 = 32768: overflow

.db:    PRINT {"#DB single step", 10}
        EXPECT .dbdr
        pushfd
        or dword [esp], 0x100
        popfd
        nop                             ; the trap comes after this instruction
        nop
.dbdr:  PRINT {"#DB breakpoint", 10}
        mov eax, .bp_target
        mov dr0, eax
        mov eax, 0x00000001             ; L0, execute, 1 byte
        mov dr7, eax
        EXPECT .dbdone
.bp_target:
        nop
.dbdone:
        xor eax, eax
        mov dr7, eax
        mov eax, dr6
        and eax, 0x0000E00F
        HEX "dr6.bits", eax
        NL

        PRINT {"#BP #OF #BR", 10}
        EXPECT .of
        int3
.of:    EXPECT .of2
        mov al, 0x7F
        add al, 1
        into
.of2:   mov al, 1
        add al, 1
        into                            ; OF clear: nothing
        EXPECT .br2
        mov eax, 0x20
        mov dword [SCRATCH], 0x10
        mov dword [SCRATCH + 4], 0x1F
        bound eax, [SCRATCH]
.br2:   EXPECT .ud
        mov eax, 0x1F
        bound eax, [SCRATCH]            ; inside: nothing
        PRINT {"bound ok", 10}
        int 5                           ; INT 5 delivers vector 5 as a software interrupt

.ud:    PRINT {"#UD", 10}
        EXPECT .ud2
        ud2
.ud2:   EXPECT .ud3
        db 0xF0, 0x90                   ; LOCK NOP
.ud3:   EXPECT .ud4
        db 0x8E, 0xC8                   ; MOV CS, AX
.ud4:   EXPECT .nm
        db 0x0F, 0x01, 0xC0 + 5 * 8 + 0 ; 0F 01 /5 with a register operand
.nm:    PRINT {"#NM", 10}
        mov eax, cr0
        or eax, 0x8                     ; TS
        mov cr0, eax
        EXPECT .nm2
        fnop
.nm2:   clts
        mov eax, cr0
        or eax, 0x4                     ; EM
        mov cr0, eax
        EXPECT .nm3
        fnop
.nm3:   mov eax, cr0
        and eax, ~0xC
        mov cr0, eax

        PRINT {"#TS", 10}
        mov word [TSS0], SEL_DATA0      ; back link to a data segment
        EXPECT .ts2
        pushfd
        or dword [esp], 0x4000          ; NT
        popfd
        iretd
.ts2:   mov word [TSS0], 0

        PRINT {"#NP #SS", 10}
        EXPECT .np2
        mov ax, SEL_FREE0
        mov ds, ax
.np2:   EXPECT .ss1
        mov ax, SEL_FREE0
        mov ss, ax
.ss1:   EXPECT .ss2
        mov ax, SEL_DATA3               ; RPL and DPL 3 into SS at CPL 0
        mov ss, ax
.ss2:   EXPECT .np3
        mov eax, .np3
        mov edi, 0x40
        mov bx, SEL_CODE0
        mov dl, 0x0E                    ; interrupt gate, not present
        call set_idt_gate
        int 0x40

.np3:   PRINT {"#GP", 10}
        EXPECT .gp3
        xor eax, eax
        mov ss, ax                      ; null SS
.gp3:   EXPECT .gp4
        mov ax, 0x0080                  ; beyond the GDT limit
        mov ds, ax
.gp4:   EXPECT .gp5
        mov ax, SEL_FREE3               ; execute-only code into DS
        mov ds, ax
.gp5:   EXPECT .gp8
        mov ax, SEL_TSS0
        mov es, ax                      ; a system descriptor into ES
.gp8:   EXPECT .gp10
        jmp SEL_DATA0:0                 ; far jump to a data segment
.gp10:  EXPECT .iret1
        mov ax, SEL_TSS0
        ltr ax                          ; TSS already busy

.iret1: PRINT {"IRET and far transfer checks", 10}
        EXPECT .iret2
        push dword SEL_DATA3
        push dword STACK3_TOP
        push dword 0x0002
        push dword SEL_DATA3            ; CS: a data segment
        push dword .df
        iretd
.iret2: EXPECT .iret3
        push dword SEL_DATA0            ; SS with RPL 0 for a return to ring 3
        push dword STACK3_TOP
        push dword 0x0002
        push dword SEL_CODE3
        push dword .df
        iretd
.iret3: EXPECT .iret4
        push dword SEL_FREE0            ; return to a not-present segment
        push dword .df
        retf
.iret4: EXPECT .iret5
        push dword 0                    ; RETF at CPL 0 to ring 3 with a null SS
        push dword STACK3_TOP
        push dword SEL_CODE3
        push dword .df
        retf
.iret5: EXPECT .df
        mov edi, SEL_FREE4              ; a call gate whose target is a data segment
        mov eax, .df
        mov bx, SEL_DATA0
        mov dx, 0x008C
        call set_gate
        call SEL_FREE4:0

.df:    PRINT {"IDT gates that cannot be used", 10}
        mov word [IDT_RAM + 0 * 8 + 2], SEL_DATA0       ; #DE's gate names a data segment
        EXPECT .idt2
        xor ecx, ecx
        div ecx                         ; delivering an exception: EXT is set in the error code
.idt2:  mov word [IDT_RAM + 0 * 8 + 2], SEL_CODE0
        mov word [IDT_RAM + 0x40 * 8 + 2], 0x00F8       ; beyond the GDT limit
        or byte [IDT_RAM + 0x40 * 8 + 5], 0x80
        EXPECT .idt3
        int 0x40                        ; a software interrupt: EXT clear
.idt3:  mov word [SCRATCH], 0x3FF      ; an IDT of 128 gates
        mov dword [SCRATCH + 2], IDT_RAM
        lidt [SCRATCH]
        EXPECT .idt4
        int 0x90
.idt4:  lidt [idt_pointer]

        PRINT {"#DF", 10}
        and byte [IDT_RAM + 0 * 8 + 5], 0x7F    ; vector 0 not present: #DE then #NP -> #DF
        EXPECT .done
        xor ecx, ecx
        div ecx

.done:  or byte [IDT_RAM + 0 * 8 + 5], 0x80
        FINISH

%include "tail.inc"
