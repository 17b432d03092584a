; El Torito no-emulation boot image: reads HELLO.BIN from the CD (secondary master, ports 170h/376h)
; through ATAPI READ(10), once by PIO and once by bus-master DMA, and prints a checksum of each
; (h = h * 31 + byte, 32 bits) on the debug console (port 402h) as "CDTEST PIO xxxxxxxx" / "CDTEST DMA xxxxxxxx".
bits 16
org 0x7C00

CMD     equ 0x170               ; command block of the secondary channel
ALTSTAT equ 0x376
DEBUG   equ 0x402
PVD     equ 0x9000              ; sector 16
ROOTDIR equ 0xA000              ; first sector of the root directory
PRD     equ 0x9800
BUFSEG  equ 0x1000              ; the file goes to physical 10000h

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld

    mov eax, 16
    mov cx, 1
    mov bx, PVD >> 4
    call read_pio
    mov eax, [PVD + 156 + 2]    ; root directory record: extent LBA (ECMA-119 8.4.18, 9.1.3)
    mov cx, 1
    mov bx, ROOTDIR >> 4
    call read_pio

    mov si, ROOTDIR
.scan:
    movzx ax, byte [si]
    test ax, ax
    jz fail
    cmp byte [si + 32], 9
    jb .next
    push si
    lea si, [si + 33]
    mov di, filename
    mov cx, 9
    repe cmpsb
    pop si
    je .found
.next:
    add si, ax
    cmp si, ROOTDIR + 2048
    jb .scan
    jmp fail
.found:
    mov eax, [si + 2]
    mov [file_lba], eax
    mov eax, [si + 10]
    mov [file_size], eax
    add eax, 2047
    shr eax, 11
    mov [file_sectors], ax

    mov eax, [file_lba]
    mov cx, [file_sectors]
    mov bx, BUFSEG
    call read_pio
    mov si, pio_label
    call checksum_and_print

    push es                     ; forget the PIO data before reading it again
    mov ax, BUFSEG
    mov es, ax
    xor di, di
    xor ax, ax
    mov cx, 0x8000
    rep stosw
    pop es

    call read_dma
    mov si, dma_label
    call checksum_and_print
    mov si, done_message
    call print
halt:
    hlt
    jmp halt

fail:
    mov si, fail_message
    call print
    jmp halt

; eax = LBA, cx = sectors: fills the READ(10) packet
make_packet:
    mov byte [packet], 0x28
    mov edx, eax
    bswap edx
    mov [packet + 2], edx
    mov [packet + 7], ch
    mov [packet + 8], cl
    ret

; al = features (1 = DMA): selects the master, issues PACKET and sends the 12 bytes
issue_packet:
    push ax
    call wait_not_busy
    mov dx, CMD + 6
    mov al, 0xA0
    out dx, al
    call wait_not_busy
    pop ax
    mov dx, CMD + 1
    out dx, al
    mov dx, CMD + 4             ; byte count limit F800h
    xor al, al
    out dx, al
    mov dx, CMD + 5
    mov al, 0xF8
    out dx, al
    mov dx, CMD + 7
    mov al, 0xA0
    out dx, al
    call wait_not_busy
    test al, 0x08
    jz fail
    mov si, packet
    mov cx, 6
    mov dx, CMD
    rep outsw
    ret

; eax = LBA, cx = sectors, bx = destination segment (at most 63 KiB)
read_pio:
    push es
    mov es, bx
    call make_packet
    xor al, al
    call issue_packet
    xor di, di
.block:
    call wait_not_busy
    mov dx, CMD + 7
    in al, dx
    test al, 0x01
    jnz fail
    test al, 0x08
    jz .done
    mov dx, CMD + 4
    in al, dx
    mov cl, al
    mov dx, CMD + 5
    in al, dx
    mov ch, al
    shr cx, 1
    mov dx, CMD
    rep insw
    jmp .block
.done:
    pop es
    ret

; reads the file to physical 10000h with the PIIX3's bus master (secondary channel: BAR4 + 8)
read_dma:
    call find_bus_master
    add ax, 8
    mov [bm], ax
    mov ax, [file_sectors]
    shl ax, 11
    call prepare_dma
    mov eax, [file_lba]
    mov cx, [file_sectors]
    call make_packet
    mov al, 1
    call issue_packet
    mov al, 0x09                ; start, device to memory
    call run_dma
    test al, 0x01
    jnz fail
    ret

%include "bus-master.inc"

; si = label; prints the label and the checksum of the file at BUFSEG:0
checksum_and_print:
    call print
    push es
    mov ax, BUFSEG
    mov es, ax
    xor ebx, ebx
    xor di, di
    mov ecx, [file_size]
.sum:
    imul ebx, ebx, 31
    movzx eax, byte [es:di]
    add ebx, eax
    inc di
    dec ecx
    jnz .sum
    pop es
    mov eax, ebx
    mov cx, 8
.hex:
    rol eax, 4
    push eax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .digit
    add al, 7
.digit:
    mov dx, DEBUG
    out dx, al
    pop eax
    loop .hex
    mov al, 10
    out dx, al
    ret

%include "debug-print.inc"

filename     db "HELLO.BIN"
pio_label    db "CDTEST PIO ", 0
dma_label    db "CDTEST DMA ", 0
done_message db "CDTEST DONE", 10, 0
fail_message db "CDTEST FAIL", 10, 0
align 4
file_lba     dd 0
file_size    dd 0
file_sectors dw 0
bm           dw 0
packet       times 12 db 0
