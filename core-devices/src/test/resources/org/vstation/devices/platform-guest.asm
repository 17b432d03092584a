; A 64 KiB "BIOS" that exercises the platform devices through the real CPU:
; the 8259 pair, PIT counter 0 at 1000 Hz (IRQ 0), the RTC's 1024 Hz periodic
; interrupt (IRQ 8 through the slave), and the 8042's A20 gate. It reports on
; the debug console (port 0x402):  "PIT=<n> RTC=<n> A20ON=<Y|N> A20OFF=<Y|N> DONE".
; Assemble with: nasm -f bin (the image is mapped at 0xF0000 and at the top of 4 GiB).

bits 16
org 0
%include "rom-guest.inc"

PIT_TICKS   equ 0x500           ; counters live in RAM (segment 0)
RTC_TICKS   equ 0x502
WANTED      equ 500             ; half a second of PIT ticks
DEBUG_PORT  equ 0x402

start:
    ROM_ENTRY
    mov word [PIT_TICKS], 0
    mov word [RTC_TICKS], 0
    mov word [0x08*4], irq0         ; IRQ 0 -> vector 0x08
    mov word [0x08*4+2], 0xF000
    mov word [0x70*4], irq8         ; IRQ 8 -> vector 0x70
    mov word [0x70*4+2], 0xF000

    INIT_8259_PAIR
    mov al, 0xFA                    ; unmask IRQ 0 and the cascade
    out 0x21, al
    mov al, 0xFE                    ; unmask IRQ 8
    out 0xA1, al

    ; PIT counter 0: lo/hi, mode 2, 1193 -> 1000.15 Hz
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al

    ; RTC: 32 kHz time base, 1024 Hz periodic interrupt
    mov al, 0x8A
    out 0x70, al
    mov al, 0x26
    out 0x71, al
    mov al, 0x8B
    out 0x70, al
    in al, 0x71
    or al, 0x40                     ; PIE
    mov ah, al
    mov al, 0x8B
    out 0x70, al
    mov al, ah
    out 0x71, al
    mov al, 0x8C                    ; clear pending flags
    out 0x70, al
    in al, 0x71

    sti
.wait:
    hlt
    cmp word [PIT_TICKS], WANTED
    jb .wait
    cli

    mov si, msg_pit
    call print
    mov ax, [PIT_TICKS]
    call print_decimal
    mov si, msg_rtc
    call print
    mov ax, [RTC_TICKS]
    call print_decimal

    ; A20 on (the 8042 powers up with it on): 0xFFFF:0x0010 is 0x100000, not 0
    mov ax, 0xFFFF
    mov es, ax
    mov byte [0], 0x11
    mov byte [es:0x10], 0x22
    mov si, msg_a20on
    call print
    cmp byte [0], 0x11
    call print_yes_no

    ; A20 off through the 8042 output port: 0x100000 wraps to 0
    mov al, 0xD1
    out 0x64, al
    mov al, 0xDD
    out 0x60, al
    mov byte [es:0x10], 0x33
    mov si, msg_a20off
    call print
    cmp byte [0], 0x33
    call print_yes_no

    mov si, msg_done
    call print
.halt:
    hlt
    jmp .halt

irq0:
    push ax
    inc word [PIT_TICKS]
    mov al, 0x20                    ; non-specific EOI
    out 0x20, al
    pop ax
    iret

irq8:
    push ax
    inc word [RTC_TICKS]
    mov al, 0x0C                    ; reading register C re-arms the RTC interrupt
    out 0x70, al
    in al, 0x71
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

; prints the zero-terminated string at CS:SI
print:
    mov dx, DEBUG_PORT
.next:
    mov al, [cs:si]
    test al, al
    jz .end
    out dx, al
    inc si
    jmp .next
.end:
    ret

; prints "Y" if ZF is set, else "N"
print_yes_no:
    mov dx, DEBUG_PORT
    mov al, 'Y'
    je .out
    mov al, 'N'
.out:
    out dx, al
    ret

; prints AX in decimal
print_decimal:
    mov bx, 10
    xor cx, cx
.divide:
    xor dx, dx
    div bx
    push dx
    inc cx
    test ax, ax
    jnz .divide
    mov dx, DEBUG_PORT
.digit:
    pop ax
    add al, '0'
    out dx, al
    loop .digit
    ret

msg_pit:    db "PIT=", 0
msg_rtc:    db " RTC=", 0
msg_a20on:  db " A20ON=", 0
msg_a20off: db " A20OFF=", 0
msg_done:   db " DONE", 10, 0

    ROM_TAIL
