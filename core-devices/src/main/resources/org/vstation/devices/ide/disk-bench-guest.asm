; vstation bench disk's guest: a 64 KiB stand-in BIOS that writes CHUNKS x 64 KiB to the primary master
; with WRITE DMA EXT, then reads them back with READ DMA EXT, sequentially from LBA 0, polling the
; bus-master status (interrupts off). It sets up the PIIX3 IDE function as firmware does (BAR4, I/O and
; bus master on, IDETIM decode enable) and marks each phase on the debug console (port 402h), between
; which the host times it. Registers: PIIX3 datasheet 2.7-2.8; PRD format: SFF-8038i; commands: ATA8-ACS.
bits 16
org 0

%ifndef CHUNKS
%define CHUNKS 16
%endif

CMD      equ 0x1F0
ALTSTAT  equ 0x3F6
BM       equ 0xC000             ; bus-master base the guest gives BAR4
PRD      equ 0x9800             ; the one-entry PRD table, in RAM
BUFFER   equ 0x10000            ; 64 KiB transfer buffer
SECTORS  equ 128                ; 64 KiB a command
CODE_SEG equ 0x3000             ; where the guest copies itself (physical 30000h)
PATTERN  equ 0x5AA5C33C

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    cld
    ; Run from RAM, as firmware shadows itself: code in ROM is decoded afresh each time it runs.
    mov ax, 0xF000
    mov ds, ax
    mov ax, CODE_SEG
    mov es, ax
    xor si, si
    xor di, di
    mov cx, 0x8000
    rep movsw
    jmp CODE_SEG:in_ram
in_ram:
    xor ax, ax
    mov ds, ax
    mov eax, 0x80000920         ; 00:01.1 BAR4
    mov ebx, BM | 1
    call pci_write32
    mov eax, 0x80000940         ; 00:01.1 IDETIM (primary) | IDETIM (secondary) << 16: decode enable
    mov ebx, 0x80008000
    call pci_write32
    mov eax, 0x80000904         ; 00:01.1 command: I/O space and bus master
    mov ebx, 0x00000005
    call pci_write32
    mov dword [PRD], BUFFER
    mov dword [PRD + 4], 0x80000000 ; 64 KiB (a count of 0), end of table

    mov eax, PATTERN            ; the data written: PATTERN in every dword
    call fill_buffer
    mov si, write_mark
    call print
    mov bl, 0x35                ; WRITE DMA EXT
    mov bh, 0x01                ; bus master: start, memory to device
    call transfer
    xor eax, eax                ; the reads must bring the pattern back
    call fill_buffer
    mov si, read_mark
    call print
    mov bl, 0x25                ; READ DMA EXT
    mov bh, 0x09                ; bus master: start, device to memory
    call transfer
    mov ax, BUFFER >> 4
    mov es, ax
    cmp dword [es:0], PATTERN
    jne fail
    cmp dword [es:0xFFFC], PATTERN
    jne fail
    mov si, done_mark
    call print
halt:
    hlt
    jmp halt

fail:
    mov si, fail_mark
    call print
    jmp halt

; bl = ATA command, bh = bus-master command: CHUNKS commands of SECTORS sectors from LBA 0 on
transfer:
    xor ebp, ebp                ; LBA
    mov edi, CHUNKS
.chunk:
    mov dx, BM                  ; stop the engine, give it the table, clear interrupt and error
    xor al, al
    out dx, al
    mov dx, BM + 4
    mov eax, PRD
    out dx, eax
    mov dx, BM + 2
    mov al, 0x06
    out dx, al
    call wait_not_busy
    mov dx, CMD + 6
    mov al, 0x40                ; LBA, master
    out dx, al
    mov dx, CMD + 2             ; sector count, high byte then low
    xor al, al
    out dx, al
    mov al, SECTORS
    out dx, al
    mov eax, ebp                ; LBA 47:24 (bits 31:24 of a 32-bit LBA, then zeros), then 23:0
    shr eax, 24
    mov dx, CMD + 3
    out dx, al
    xor al, al
    mov dx, CMD + 4
    out dx, al
    mov dx, CMD + 5
    out dx, al
    mov eax, ebp
    mov dx, CMD + 3
    out dx, al
    shr eax, 8
    mov dx, CMD + 4
    out dx, al
    shr eax, 8
    mov dx, CMD + 5
    out dx, al
    mov dx, CMD + 7
    mov al, bl
    out dx, al
    mov dx, BM
    mov al, bh
    out dx, al
.wait:
    mov dx, BM + 2
    in al, dx
    test al, 0x04               ; interrupt: the drive finished
    jz .wait
    mov dx, BM
    xor al, al
    out dx, al
    call wait_not_busy
    test al, 0x21               ; ERR or DF
    jnz fail
    add ebp, SECTORS
    dec edi
    jnz .chunk
    ret

; eax = the dword to fill the 64 KiB buffer with
fill_buffer:
    mov dx, BUFFER >> 4
    mov es, dx
    xor di, di
    mov cx, 0x4000
    rep stosd
    ret

wait_not_busy:
    mov dx, ALTSTAT
.poll:
    in al, dx
    test al, 0x80
    jnz .poll
    ret

; eax = configuration address, ebx = dword to write
pci_write32:
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC
    mov eax, ebx
    out dx, eax
    ret

; si = a NUL-terminated string in this guest's code segment, to the debug console
print:
    mov dx, 0x402
.next:
    mov al, [cs:si]
    inc si
    test al, al
    jz .end
    out dx, al
    jmp .next
.end:
    ret

write_mark db "DISKBENCH WRITE", 10, 0
read_mark  db "DISKBENCH READ", 10, 0
done_mark  db "DISKBENCH DONE", 10, 0
fail_mark  db "DISKBENCH FAIL", 10, 0

times 0xFFF0 - ($ - $$) db 0xFF
    jmp 0xF000:start            ; the reset vector
times 0x10000 - ($ - $$) db 0xFF
