; A 64 KiB stand-in system BIOS for the --screenshot test: from the reset
; vector it sets a 320x200x8 Bochs VBE mode, makes palette entry 1 pure red,
; puts that colour at pixel (10, 5), says "done" on the debug console and halts.
bits 16
org 0

start:
    mov dx, 0x01ce
    mov ax, 1                       ; XRES
    out dx, ax
    inc dx
    mov ax, 320
    out dx, ax
    dec dx
    mov ax, 2                       ; YRES
    out dx, ax
    inc dx
    mov ax, 200
    out dx, ax
    dec dx
    mov ax, 3                       ; BPP
    out dx, ax
    inc dx
    mov ax, 8
    out dx, ax
    dec dx
    mov ax, 4                       ; ENABLE: enabled, linear framebuffer
    out dx, ax
    inc dx
    mov ax, 0x41
    out dx, ax
    mov dx, 0x03c8
    mov al, 1
    out dx, al
    inc dx
    mov al, 63
    out dx, al
    xor al, al
    out dx, al
    out dx, al
    mov ax, 0xa000
    mov es, ax
    mov byte [es:5 * 320 + 10], 1
    mov dx, 0x0402
    mov si, done
.say:
    cs lodsb
    test al, al
    jz .halt
    out dx, al
    jmp .say
.halt:
    cli
    hlt
    jmp .halt

done: db "done", 10, 0

times 0xfff0 - ($ - $$) db 0
    jmp 0xf000:start
times 0x10000 - ($ - $$) db 0
