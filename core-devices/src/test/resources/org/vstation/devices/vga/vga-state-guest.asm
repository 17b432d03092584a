; A floppy boot guest that sets a video mode through the VGA BIOS, draws a
; known pattern, then records the VGA state in RAM for the host to read
; through QEMU's monitor: registers and DAC at 0x600, the four planes at
; 0x10000-0x4FFFF, the CPU's view of the mode's window at 0x50000.
; Assemble with: nasm -f bin -DPATTERN=<n> vga-state-guest.asm
;   PATTERN 1: text mode 3, every character in many attributes, blink off, cursor hidden
;   PATTERN 2: mode 13h, a gradient with a custom palette
;   PATTERN 3: mode 12h, colour bands drawn with write mode 2 and the bit mask
;   PATTERN 4: mode 04h (CGA 320x200x4), a checker of all four colours
;   PATTERN 5: mode 0Dh, diagonal bands of the 16 colours
;   PATTERN 6: Bochs VBE 800x600x32, a byte pattern written through the banked window
;   PATTERN 7: Bochs VBE 1024x768x8 with a custom palette, through the banked window
;   PATTERN 8: Bochs VBE 640x480x16, through the banked window
;   PATTERN 9: text mode 1 (40x25), PATTERN 10: 80x50 text (8x8 font), PATTERN 11: 80x43 text (350 lines)
;   PATTERN 12: mode 06h (CGA 640x200 two colours), PATTERN 13: mode 10h (640x350 16 colours)
; The DISPI registers 0-0xA are recorded as words at 0x680.
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
%if PATTERN == 1
    mov ax, 0x0003
    int 0x10
    call text_setup
    mov bx, 80 * 25
    call fill_text
    mov si, 0xb800                  ; window: text memory at 0xB8000
%elif PATTERN == 9
    mov ax, 0x0001
    int 0x10
    call text_setup
    mov bx, 40 * 25
    call fill_text
    mov si, 0xb800
%elif PATTERN == 10 || PATTERN == 11
%if PATTERN == 11
    mov ax, 0x1201                  ; 350 scan lines for the next text mode set
    mov bl, 0x30
    int 0x10
%endif
    mov ax, 0x0003
    int 0x10
    mov ax, 0x1112                  ; load and activate the 8x8 font: 50 (or 43) rows
    xor bl, bl
    int 0x10
    call text_setup
    mov bx, 80 * 50
    call fill_text
    mov si, 0xb800
%elif PATTERN == 12
    mov ax, 0x0006
    int 0x10
    mov ax, 0xb800
    mov es, ax
    xor di, di
    mov cx, 0x4000
.cga:
    mov ax, di
    xor al, ah
    imul ax, ax, 13
    stosb
    loop .cga
    mov si, 0xb800
%elif PATTERN == 13
    mov ax, 0x0010
    int 0x10
    mov ax, 0xa000
    mov es, ax
    mov dx, 0x03ce
    mov ax, 0x0f01
    out dx, ax
    xor di, di
    mov cx, 80 * 350
.ega:
    mov ax, di
    shr ax, 3
    xor al, ah
    and al, 0x0f
    mov ah, al
    xor al, al
    out dx, ax
    mov al, [es:di]
    stosb
    loop .ega
    mov ax, 0x0001
    out dx, ax
    mov si, 0xa000
%elif PATTERN == 2
    mov ax, 0x0013
    int 0x10
    mov dx, 0x03c8                  ; palette: entry i = (i/4, 63 - i/4, (i*5)/4 mod 64)
    xor al, al
    out dx, al
    inc dx
    xor bx, bx
.palette:
    mov al, bl
    shr al, 2
    out dx, al
    mov ah, 63
    sub ah, al
    mov al, ah
    out dx, al
    mov ax, bx
    imul ax, ax, 5
    shr ax, 2
    and al, 63
    out dx, al
    inc bx
    cmp bx, 256
    jb .palette
    mov ax, 0xa000
    mov es, ax
    xor di, di
    xor bx, bx                      ; y
.row:
    xor cx, cx                      ; x
.pixel:
    mov ax, cx
    add ax, bx
    add ax, bx
    stosb
    inc cx
    cmp cx, 320
    jb .pixel
    inc bx
    cmp bx, 200
    jb .row
    mov si, 0xa000
%elif PATTERN == 3
    mov ax, 0x0012
    int 0x10
    mov ax, 0xa000
    mov es, ax
    mov dx, 0x03ce
    mov ax, 0x0205                  ; write mode 2
    out dx, ax
    xor di, di
    xor bx, bx                      ; y
.row:
    xor cx, cx                      ; byte column
.byte:
    mov dx, 0x03ce                  ; bit mask: alternate pixels per line parity
    mov ah, 0xaa
    test bl, 1
    jz .mask
    mov ah, 0x55
.mask:
    mov al, 0x08
    out dx, ax
    mov al, [es:di]                 ; load latches
    mov al, cl
    add al, bl
    shr al, 2
    and al, 0x0f
    stosb
    inc cx
    cmp cx, 80
    jb .byte
    inc bx
    cmp bx, 480
    jb .row
    mov ax, 0xff08
    out dx, ax
    mov ax, 0x0005
    out dx, ax
    mov si, 0xa000
%elif PATTERN == 4
    mov ax, 0x0004
    int 0x10
    mov ax, 0xb800
    mov es, ax
    xor bx, bx                      ; y
.row:
    mov ax, bx                      ; even lines at 0, odd lines at 0x2000
    shr ax, 1
    imul di, ax, 80
    test bl, 1
    jz .even
    add di, 0x2000
.even:
    xor cx, cx
.byte:
    mov al, cl
    add al, bl
    and al, 3
    mov ah, 0x1b                    ; pixels 0,1,2,3 rotated by the column
    test al, 1
    jz .store
    mov ah, 0xe4
.store:
    mov al, ah
    stosb
    inc cx
    cmp cx, 80
    jb .byte
    inc bx
    cmp bx, 200
    jb .row
    mov si, 0xb800
%elif PATTERN == 5
    mov ax, 0x000d
    int 0x10
    mov ax, 0xa000
    mov es, ax
    mov dx, 0x03ce
    mov ax, 0x0f01                  ; set/reset on all planes
    out dx, ax
    xor di, di
    xor bx, bx
.row:
    xor cx, cx
.byte:
    mov ax, cx
    add ax, bx
    shr ax, 1
    and al, 0x0f
    mov ah, al
    xor al, al                      ; set/reset value register 0
    out dx, ax
    mov al, [es:di]
    stosb
    inc cx
    cmp cx, 40
    jb .byte
    inc bx
    cmp bx, 200
    jb .row
    mov ax, 0x0001
    out dx, ax
    mov si, 0xa000
%elif PATTERN == 6
    mov bx, 800
    mov cx, 600
    mov si, 32
    call vbe_mode
    mov word [fill_count], 30       ; banks of 64 KiB covering 800*600*4 bytes
    call fill_banks
    mov si, 0xa000
%elif PATTERN == 7
    mov bx, 1024
    mov cx, 768
    mov si, 8
    call vbe_mode
    mov dx, 0x03c8                  ; palette: entry i = (i mod 64, i/4, (255-i)/4)
    xor al, al
    out dx, al
    inc dx
    xor bx, bx
.palette:
    mov al, bl
    and al, 63
    out dx, al
    mov al, bl
    shr al, 2
    out dx, al
    mov al, 255
    sub al, bl
    shr al, 2
    out dx, al
    inc bx
    cmp bx, 256
    jb .palette
    mov word [fill_count], 12       ; 1024*768 bytes
    call fill_banks
    mov si, 0xa000
%elif PATTERN == 8
    mov bx, 640
    mov cx, 480
    mov si, 16
    call vbe_mode
    mov word [fill_count], 10       ; 640*480*2 bytes
    call fill_banks
    mov si, 0xa000
%endif

    call dump_dispi
    call dump_cpu_view
    call dump_state
    mov byte [0x5ff], 0x5a
    cli
.halt:
    hlt
    jmp .halt

; Blink off (attribute bit 7 = bright background) and the cursor hidden, so the picture does not depend on time.
text_setup:
    mov ax, 0x1003
    xor bl, bl
    int 0x10
    mov ah, 0x01
    mov cx, 0x2000
    int 0x10
    ret

; BX text cells at 0xB8000: every character, attributes varied.
fill_text:
    mov ax, 0xb800
    mov es, ax
    xor di, di
    xor cx, cx                      ; cl = character, ch = attribute seed
.cell:
    mov al, cl
    mov ah, cl
    xor ah, ch
    stosw
    inc cl
    jnz .same
    add ch, 0x35
.same:
    dec bx
    jnz .cell
    ret

%if PATTERN >= 6 && PATTERN <= 8
; DISPI mode BX x CX x SI bpp, enabled with the linear framebuffer.
vbe_mode:
    mov ax, 4                       ; ENABLE = 0 while changing the mode
    xor dx, dx
    call dispi_write
    mov ax, 1
    mov dx, bx
    call dispi_write
    mov ax, 2
    mov dx, cx
    call dispi_write
    mov ax, 3
    mov dx, si
    call dispi_write
    mov ax, 4
    mov dx, 0x41
    call dispi_write
    ret

; Fills DI banks through the 64 KiB window: byte i of bank b = i ^ (i >> 9) ^ (b * 29).
fill_banks:
    xor bp, bp                      ; bank
.bank:
    mov ax, 5
    mov dx, bp
    call dispi_write
    mov ax, 0xa000
    mov es, ax
    imul bx, bp, 29
    xor di, di
.byte:
    mov ax, di
    shr ax, 9
    xor ax, di
    xor ax, bx
    mov [es:di], al
    inc di
    jnz .byte
    inc bp
    cmp bp, [fill_count]
    jb .bank
    ret

fill_count: dw 0

; DISPI register AX = DX.
dispi_write:
    push dx
    mov dx, 0x01ce
    out dx, ax
    pop ax
    mov dx, 0x01cf
    out dx, ax
    ret
%endif

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

times 512 * (SECTORS + 1) - ($-$$) db 0
