; Real mode as firmware uses it: interrupts and exceptions through the IVT
; (#DE, #DB single step, #BP, #OF, #BR, #UD pushing the right IP), PUSHF/POPF
; with IOPL and NT, 32-bit operands and addressing (66h/67h), far calls and
; returns, LSS/LES, ENTER/LEAVE. Stays in real mode: no lib.inc.

RESUME_IP       equ 0x0500              ; in RAM at 0000:0500: where a faulting test continues
VALUES          equ 0x0600
SAVED_AX        equ 0x0502
COM1            equ 0x3F8
COM1_LSR        equ 0x3FD

        bits 16
        org 0xF0000

%macro PRINT 1
        jmp %%after
%%text: db %1, 0
%%after:
        push si
        mov si, %%text - $$
        call puts16
        pop si
%endmacro

; HEX "name", value: " name=XXXX" for a 16-bit register or memory operand
; (SP included: AX is parked in memory, not pushed).
%macro HEX 2
        PRINT {" ", %1, "="}
        mov [es:SAVED_AX], ax
        mov ax, %2
        call hex16
        mov ax, [es:SAVED_AX]
%endmacro

%macro EXPECT 1
        mov word [es:RESUME_IP], %1 - $$
%endmacro

start16:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov es, ax                      ; ES = 0 throughout: the IVT and RESUME_IP
        mov ax, 0xF000
        mov ds, ax                      ; DS = F000: the strings
        mov word [es:RESUME_IP], 0
        xor bx, bx
        mov si, stub_table - $$
.ivt:   mov ax, [si]
        mov [es:bx], ax
        mov word [es:bx + 2], 0xF000
        add si, 2
        add bx, 4
        cmp bx, 8 * 4
        jb .ivt
        mov word [es:0x40 * 4], stub_40 - $$
        mov word [es:0x40 * 4 + 2], 0xF000

        PRINT "flags"
        pushf
        pop ax
        HEX "pushf", ax
        pushfd
        pop eax
        pop ax
        HEX "pushfd.high", ax
        push word 0x7002                ; IOPL 3, NT: settable in real mode
        popf
        pushf
        pop ax
        HEX "after.popf", ax
        push word 0x0002
        popf
        PRINT {10}

        PRINT {"INT 40h", 10}
        mov ax, 0x1234
        int 0x40
        PRINT {"#DE", 10}
        EXPECT .de2
        xor cx, cx
        div cx
.de2:   PRINT {"#BP #OF", 10}
        int3
        mov al, 0x7F
        add al, 1
        into
        PRINT {"#BR", 10}
        EXPECT .br2
        mov word [es:VALUES], 1
        mov word [es:VALUES + 2], 5
        mov ax, 9
        bound ax, [es:VALUES]
.br2:   PRINT {"#UD", 10}
        EXPECT .ud2
        ud2
.ud2:   PRINT {"#DB single step", 10}
        pushf
        or word [esp], 0x100
        popf
        nop
        nop                             ; the handler clears TF after the first trap
        PRINT {"32-bit operands and addresses", 10}
        mov eax, 0x89ABCDEF
        mov ecx, 0x10
        mul ecx
        HEX "edx", dx
        HEX "eax.low", ax
        shr eax, 16
        HEX "eax.high", ax
        mov dword [es:VALUES + 0x20], 0xDEADBEEF
        mov esi, 0x10
        mov eax, [es:esi * 2 + VALUES]
        shr eax, 16
        HEX "sib", ax
        mov esi, VALUES + 0x20
        mov edi, VALUES + 0x40
        mov ecx, 4
        push ds
        push es
        pop ds
        a32 rep movsb
        pop ds
        HEX "movsb.edi", di
        HEX "copied", [es:VALUES + 0x42]
        PRINT {10}
        PRINT "far"
        call 0xF000:far_procedure - $$
        HEX "ret", ax
        mov word [es:VALUES], far_procedure - $$
        mov word [es:VALUES + 2], 0xF000
        call far [es:VALUES]
        HEX "indirect", ax
        mov word [es:VALUES + 4], 0x1234
        mov word [es:VALUES + 6], 0x0000
        lss sp, [es:VALUES + 4]
        mov ax, sp
        HEX "lss.sp", ax
        mov sp, 0x7000
        les bx, [es:VALUES]
        mov ax, es
        HEX "les.es", ax
        HEX "les.bx", bx
        xor ax, ax
        mov es, ax
        mov bp, 0x1111
        enter 8, 0
        HEX "enter.bp", bp
        HEX "enter.sp", sp
        leave
        HEX "leave.bp", bp
        HEX "leave.sp", sp
        PRINT {10}
        PRINT {"VSTATION-END", 10}
.halt:  hlt
        jmp .halt

far_procedure:
        mov ax, 0xFA5
        retf

%include "serial16.inc"

; ---- interrupt reporting: IVT vectors 0-7 and 40h ----
stub_table:
        dw stub_0 - $$, stub_1 - $$, stub_2 - $$, stub_3 - $$, stub_4 - $$, stub_5 - $$, stub_6 - $$, stub_7 - $$
%assign vector 0
%rep 8
stub_ %+ vector:
        push word vector
        jmp interrupt_common
%assign vector vector + 1
%endrep
stub_40:
        push word 0x40
; Frame: vector, IP, CS, FLAGS. Prints them, clears TF in the saved flags and,
; if a test EXPECTed a fault, returns to its resume point instead.
interrupt_common:
        push bp
        mov bp, sp
        PRINT "INT"
        HEX "vec", [bp + 2]
        HEX "ip", [bp + 4]
        HEX "cs", [bp + 6]
        HEX "flags", [bp + 8]
        HEX "ax", ax
        PRINT {10}
        and word [bp + 8], ~0x100
        push ax
        mov ax, [es:RESUME_IP]
        test ax, ax
        jz .return
        mov [bp + 4], ax
        mov word [es:RESUME_IP], 0
.return:
        pop ax
        pop bp
        add sp, 2
        iret

        times 0xFFF0 - ($ - $$) db 0xF4
        jmp 0xF000:(start16 - $$)
        times 0x10000 - ($ - $$) db 0xF4
