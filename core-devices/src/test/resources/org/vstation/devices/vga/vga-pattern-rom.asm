; An option ROM that draws one of the VGA test patterns (vga-patterns.inc)
; while SeaBIOS initialises it, says "done" on the debug console (port
; 0x402) and halts, so the screen can be compared between machines. Given to
; SeaBIOS as fw_cfg file "genroms/...", as QEMU's -option-rom does.
; Assemble with: nasm -f bin -DPATTERN=<n> vga-pattern-rom.asm; the host
; fixes the checksum byte (the last one) so that all bytes add up to zero.

bits 16
org 0

BLOCKS equ 8

    db 0x55, 0xaa
    db BLOCKS                       ; size in 512-byte blocks
    jmp init

init:
    mov ax, cs
    mov ds, ax
    call draw_pattern
    mov dx, 0x0402
    mov si, done
.say:
    lodsb
    test al, al
    jz .halt
    out dx, al
    jmp .say
.halt:
    cli
    hlt
    jmp .halt

done: db "done", 10, 0

%include "vga-patterns.inc"

times 512 * BLOCKS - ($ - $$) db 0
