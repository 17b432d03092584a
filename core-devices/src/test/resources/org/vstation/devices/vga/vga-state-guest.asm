; A floppy boot guest that sets a video mode through the VGA BIOS, draws a
; known pattern, then records the VGA state in RAM for the host to read
; through QEMU's monitor: registers and DAC at 0x600, the four planes at
; 0x10000-0x4FFFF, the CPU's view of the mode's window at 0x50000.
; The DISPI registers 0-0xA are recorded as words at 0x680.
; Assemble with: nasm -f bin -DPATTERN=<n> vga-state-guest.asm (patterns: vga-patterns.inc).
; After the dump the guest writes 0x5A to 0x5FF and halts.

bits 16
org 0x7c00

SECTORS equ 8

boot:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov ax, 0x0200 | SECTORS        ; read the rest of the guest after the boot sector
    mov bx, 0x7e00
    mov cx, 0x0002
    xor dh, dh
    int 0x13
    jmp main

times 510-($-$$) db 0
dw 0xaa55

main:
    mov byte [0x5ff], 0
    call draw_pattern

    call dump_dispi
    call dump_cpu_view
    call dump_state
    mov byte [0x5ff], 0x5a
    cli
.halt:
    hlt
    jmp .halt

; DISPI registers 0-0xA as words at 0x680.
dump_dispi:
    xor ax, ax
    mov es, ax
    mov di, 0x680
    xor bx, bx
.next:
    mov dx, 0x01ce
    mov ax, bx
    out dx, ax
    mov dx, 0x01cf
    in ax, dx
    stosw
    inc bx
    cmp bx, 0x0b
    jb .next
    ret

; The CPU's view of the window whose segment is in SI: 64 KiB to 0x50000.
dump_cpu_view:
    push ds
    mov ds, si
    mov ax, 0x5000
    mov es, ax
    xor si, si
    xor di, di
    mov cx, 0x8000
    rep movsw
    pop ds
    ret

; Registers and DAC to 0x600, planes to 0x10000, then the registers put back as they were.
dump_state:
    xor ax, ax
    mov es, ax
    mov dx, 0x03cc
    in al, dx
    mov [0x600], al
    mov bx, 0x601                   ; sequencer 0-4
    mov dx, 0x03c4
    mov cx, 5
    call read_indexed
    mov bx, 0x610                   ; CRTC 0-0x18
    mov dx, 0x03d4
    mov cx, 0x19
    call read_indexed
    mov bx, 0x630                   ; graphics controller 0-8
    mov dx, 0x03ce
    mov cx, 9
    call read_indexed
    xor cx, cx                      ; attribute controller 0-0x14
.attr:
    mov dx, 0x03da
    in al, dx
    mov dx, 0x03c0
    mov al, cl
    out dx, al
    inc dx
    in al, dx
    mov bx, cx
    mov [0x640 + bx], al
    inc cx
    cmp cx, 0x15
    jb .attr
    mov dx, 0x03da
    in al, dx
    mov dx, 0x03c0
    mov al, 0x20
    out dx, al
    mov dx, 0x03c7                  ; DAC
    xor al, al
    out dx, al
    mov dx, 0x03c9
    mov di, 0x700
    mov cx, 768
.dac:
    in al, dx
    stosb
    loop .dac
    mov dx, 0x03c4                  ; planar reads of 0xA0000-0xAFFFF
    mov ax, 0x0604
    out dx, ax
    mov dx, 0x03ce
    mov ax, 0x0005
    out dx, ax
    mov ax, 0x0506
    out dx, ax
    xor bx, bx                      ; plane
.plane:
    mov dx, 0x03ce
    mov ah, bl
    mov al, 0x04
    out dx, ax
    push ds
    mov ax, bx
    shl ax, 12
    add ax, 0x1000
    mov es, ax
    mov ax, 0xa000
    mov ds, ax
    xor si, si
    xor di, di
    mov cx, 0x8000
    rep movsw
    pop ds
    inc bx
    cmp bx, 4
    jb .plane
    mov dx, 0x03c4                  ; put back what the planar reads changed
    mov ah, [0x605]
    mov al, 0x04
    out dx, ax
    mov dx, 0x03ce
    mov ah, [0x634]
    mov al, 0x04
    out dx, ax
    mov ah, [0x635]
    mov al, 0x05
    out dx, ax
    mov ah, [0x636]
    mov al, 0x06
    out dx, ax
    ret

; CX registers from index port DX, data at DX+1, stored at [BX].
read_indexed:
    xor ax, ax
.next:
    out dx, al
    inc dx
    push ax
    in al, dx
    mov [bx], al
    pop ax
    dec dx
    inc bx
    inc al
    loop .next
    ret

%include "vga-patterns.inc"

times 512 * (SECTORS + 1) - ($-$$) db 0
