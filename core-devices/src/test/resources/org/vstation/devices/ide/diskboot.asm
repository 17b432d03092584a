; Master boot record for DiskBootTest: SeaBIOS loads it from the IDE disk; it reads LBA 1-8 back
; through INT 13h AH=42h (SeaBIOS's ATA driver underneath) and prints the 16-byte text at the start
; of LBA 8 on the debug console (port 402h) as "DISKBOOT <text>".
bits 16
org 0x7C00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    mov ah, 0x42                ; extended read, DL = boot drive from the BIOS
    mov si, dap
    int 0x13
    jc failed
    mov si, label
    call print
    mov si, 0x8000 + 7 * 512
    mov cx, 16
    mov dx, 0x402
.text:
    lodsb
    out dx, al
    loop .text
    mov al, 10
    out dx, al
    jmp halt
failed:
    mov si, fail_message
    call print
halt:
    cli
    hlt
    jmp halt

%include "debug-print.inc"

dap:
    db 16, 0
    dw 8                        ; sectors
    dw 0x8000, 0                ; buffer 0000:8000
    dq 1                        ; first LBA
label        db "DISKBOOT ", 0
fail_message db "DISKBOOT FAIL", 10, 0
    times 510 - ($ - $$) db 0
    dw 0xAA55
