; El Torito no-emulation boot image: writes patterned sectors to the disk on the primary master
; (ports 1F0h/3F6h) by PIO and by bus-master DMA, with LBA28 and LBA48 addresses, then FLUSH CACHE EXT.
; Sector at LBA L written by method M (1 PIO28, 2 PIO48, 3 DMA28, 4 DMA48): dword L, dword M, then
; byte i = (i + L) & FFh. Progress goes to the debug console (port 402h).
bits 16
org 0x7C00

CMD     equ 0x1F0
ALTSTAT equ 0x3F6
PRD     equ 0x9800
BUFSEG  equ 0x1000              ; sector data at physical 10000h

%define LBA48_BASE 0x10000010

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld

    mov eax, 100                ; PIO, LBA28: sectors 100-103
    mov cx, 4
    mov bl, 1
    call fill
    call pio_write
    mov eax, LBA48_BASE         ; PIO, LBA48
    mov cx, 3
    mov bl, 2
    call fill
    call pio_write
    mov eax, 200                ; DMA, LBA28: sectors 200-207
    mov cx, 8
    mov bl, 3
    call fill
    call dma_write
    mov eax, LBA48_BASE + 0x100 ; DMA, LBA48
    mov cx, 8
    mov bl, 4
    call fill
    call dma_write

    call wait_not_busy
    mov dx, CMD + 7
    mov al, 0xEA                ; FLUSH CACHE EXT
    out dx, al
    call wait_not_busy
    mov dx, CMD + 7
    in al, dx
    test al, 0x01
    jnz fail
    mov si, flushed_message
    call print
    mov si, done_message
    call print
halt:
    hlt
    jmp halt

fail:
    mov si, fail_message
    call print
    jmp halt

; eax = first LBA, cx = sectors, bl = method: builds the sectors at BUFSEG:0 and remembers the request
fill:
    mov [lba], eax
    mov [count], cx
    mov [method], bl
    push es
    push eax
    mov dx, BUFSEG
    mov es, dx
    xor di, di
.sector:
    stosd                       ; LBA
    push eax
    movzx eax, bl
    stosd                       ; method
    pop eax
    mov dx, 8
.byte:
    mov bh, al
    add bh, dl
    mov [es:di], bh
    inc di
    inc dx
    cmp dx, 512
    jb .byte
    inc eax
    loop .sector
    pop eax
    pop es
    ret

; task file for [lba]/[count]; ah = LBA28 command, bh = LBA48 command, chosen by [method]
set_registers:
    call wait_not_busy
    mov eax, [lba]
    test byte [method], 1
    jz .lba48
    mov dx, CMD + 6
    shr eax, 24
    or al, 0xE0
    out dx, al
    mov dx, CMD + 2
    mov al, [count]
    out dx, al
    jmp .low
.lba48:
    mov dx, CMD + 6
    mov al, 0x40
    out dx, al
    mov dx, CMD + 2
    xor al, al
    out dx, al
    mov dx, CMD + 3
    mov al, [lba + 3]
    out dx, al
    mov dx, CMD + 4
    xor al, al
    out dx, al
    mov dx, CMD + 5
    out dx, al
    mov dx, CMD + 2
    mov al, [count]
    out dx, al
.low:
    mov dx, CMD + 3
    mov al, [lba]
    out dx, al
    mov dx, CMD + 4
    mov al, [lba + 1]
    out dx, al
    mov dx, CMD + 5
    mov al, [lba + 2]
    out dx, al
    ret

issue:                          ; al = LBA28 command, ah = LBA48 command
    test byte [method], 1
    jnz .send
    mov al, ah
.send:
    mov dx, CMD + 7
    out dx, al
    ret

pio_write:
    call set_registers
    mov ax, 0x3430              ; WRITE SECTORS / WRITE SECTORS EXT
    call issue
    mov cx, [count]
    xor si, si
.sector:
    call wait_not_busy
    test al, 0x01
    jnz fail
    test al, 0x08
    jz fail
    push cx
    push ds
    mov dx, BUFSEG
    mov ds, dx
    mov dx, CMD
    mov cx, 256
    rep outsw
    pop ds
    pop cx
    loop .sector
    call wait_not_busy
    mov dx, CMD + 7
    in al, dx
    test al, 0x09
    jnz fail
    ret

dma_write:
    call find_bus_master        ; the primary channel's registers are at its start
    mov [bm], ax
    mov ax, [count]
    shl ax, 9
    call prepare_dma
    call set_registers
    mov ax, 0x35CA              ; WRITE DMA / WRITE DMA EXT
    call issue
    mov al, 0x01                ; start, memory to device
    call run_dma
    test al, 0x09
    jnz fail
    ret

%include "bus-master.inc"
%include "debug-print.inc"

flushed_message db "DISKTEST FLUSHED", 10, 0
done_message    db "DISKTEST DONE", 10, 0
fail_message    db "DISKTEST FAIL", 10, 0
align 4
lba     dd 0
count   dw 0
method  db 0
align 2
bm      dw 0
