; x87 errors the two ways a PC reports them, through the real CPU and chipset:
; with CR0.NE = 0 (the state after reset, MS-DOS compatibility mode) an unmasked
; error asserts FERR#, which the chipset turns into IRQ 13 (vector 0x75 here); the
; handler writes port F0h, clears the error and sends EOI to both 8259s. With
; CR0.NE = 1 the same error raises #MF (vector 16) instead. Prints on COM1 and
; ends with VSTATION-END, so QemuRunner can run the same image for comparison
; (QEMU 7.2 raises no IRQ 13 here; the test compares only the CR0.NE = 1 part).
; Assemble with: nasm -f bin (a 64 KiB image at 0xF0000 and below 4 GiB).

bits 16
org 0
%include "rom-guest.inc"

COM1        equ 0x3F8
COM1_LSR    equ 0x3FD
IRQ13_COUNT equ 0x500
MF_COUNT    equ 0x502
CONTROL     equ 0x504
STATUS      equ 0x506

start:
    ROM_ENTRY
    mov word [IRQ13_COUNT], 0
    mov word [MF_COUNT], 0
    mov word [0x75*4], irq13        ; IRQ 13 = slave input 5 -> vector 0x75
    mov word [0x75*4+2], 0xF000
    mov word [0x10*4], math_fault   ; #MF is vector 16
    mov word [0x10*4+2], 0xF000

    INIT_8259_PAIR
    mov al, 0xFB                    ; only the cascade on the master
    out 0x21, al
    mov al, 0xDF                    ; only IRQ 13 on the slave
    out 0xA1, al

    mov si, msg_start
    call puts
    mov eax, cr0
    call put_cr0_ne

    ; ---- CR0.NE = 0: FERR# and IRQ 13 ----
    call make_error
    sti
    fwait                           ; the pending error is reported here
    mov cx, 1000                    ; QEMU takes interrupts at block ends: give it a few
.wait:
    cmp word [IRQ13_COUNT], 0
    jne .taken
    loop .wait
.taken:
    cli
    mov si, msg_irq13
    call puts
    mov ax, [IRQ13_COUNT]
    call puthex16
    call newline

    ; ---- CR0.NE = 1: #MF ----
    mov eax, cr0
    or eax, 0x20
    mov cr0, eax
    call put_cr0_ne
    call make_error
    sti
    fwait                           ; #MF; the handler clears the error, FWAIT then completes
    cli
    mov si, msg_mf
    call puts
    mov ax, [MF_COUNT]
    call puthex16
    call newline

    mov si, msg_end
    call puts
.halt:
    hlt
    jmp .halt

; An unmasked zero divide: pending, not yet reported.
make_error:
    fninit
    mov word [CONTROL], 0x037B      ; ZE unmasked
    fldcw [CONTROL]
    fld1
    fldz
    fdivr st0, st1
    fnstsw [STATUS]
    mov si, msg_pending
    call puts
    mov ax, [STATUS]
    call puthex16
    call newline
    ret

irq13:
    push ax
    push si
    inc word [IRQ13_COUNT]
    fnstsw [STATUS]
    mov si, msg_in_irq13
    call puts
    mov ax, [STATUS]
    call puthex16
    call newline
    xor al, al
    out 0xF0, al                    ; release IRQ 13 (and FERR# via IGNNE#)
    fnclex
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop si
    pop ax
    iret

math_fault:
    push ax
    push si
    inc word [MF_COUNT]
    fnstsw [STATUS]
    mov si, msg_in_mf
    call puts
    mov ax, [STATUS]
    call puthex16
    call newline
    fnclex
    pop si
    pop ax
    iret

put_cr0_ne:
    push si
    mov si, msg_ne
    call puts
    test eax, 0x20
    mov al, '0'
    jz .print
    mov al, '1'
.print:
    call putc
    call newline
    pop si
    ret

; ---- COM1 output ----
putc:                               ; AL
    push dx
    push ax
    mov dx, COM1_LSR
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    ret

puts:                               ; CS:SI, zero-terminated
    push ax
.next:
    cs lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop ax
    ret

puthex16:                           ; AX
    push cx
    push ax
    mov cx, 4
.digit:
    rol ax, 4
    push ax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .print
    add al, 'A' - '0' - 10
.print:
    call putc
    pop ax
    loop .digit
    pop ax
    pop cx
    ret

newline:
    push ax
    mov al, 10
    call putc
    pop ax
    ret

msg_start:      db "x87 error reporting", 10, 0
msg_ne:         db "CR0.NE=", 0
msg_pending:    db " pending fsw=", 0
msg_in_irq13:   db " IRQ13 fsw=", 0
msg_in_mf:      db " #MF fsw=", 0
msg_irq13:      db " irq13 count=", 0
msg_mf:         db " mf count=", 0
msg_end:        db "VSTATION-END", 10, 0

    ROM_TAIL
