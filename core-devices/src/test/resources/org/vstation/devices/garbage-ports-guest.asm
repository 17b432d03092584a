; A 64 KiB "BIOS" that writes pseudo-random bytes, words and dwords to every
; I/O port 0x0000-0xFFFF and reads each back, with interrupts off (issue 5,
; "done when" 4). Without ALL_PORTS it skips the ports whose garbage would
; legitimately kill the guest itself (8042 and port 92h resets, 0xCF9, PCI
; configuration, which can unmap this ROM, and fw_cfg DMA, which can overwrite
; its stack) and reports "SURVIVED <rounds>" on the debug console after each
; full sweep; a word or dword write also reaches the ports above its address,
; so each skipped range starts three ports early. With ALL_PORTS nothing is
; skipped: the guest may reset or crash as on real hardware, the emulator must not.

bits 16
org 0
%include "rom-guest.inc"

DEBUG_PORT  equ 0x402

; SKIP first, last: leave ports first..last alone
%macro SKIP 2
    cmp di, %1
    jb %%outside
    cmp di, %2
    jbe .skip
%%outside:
%endmacro

start:
    ROM_ENTRY
    mov si, 0x1234                  ; xorshift state
    xor bp, bp                      ; completed sweeps
.sweep:
    xor di, di                      ; port
.port:
%ifndef ALL_PORTS
    SKIP 0x0061, 0x0064             ; 8042 command port (reset pulse); wide writes from 3 below reach it
    SKIP 0x008F, 0x0092             ; port 92h (fast INIT)
    SKIP 0x050D, 0x051B             ; fw_cfg, including its DMA address
    SKIP 0x0CF5, 0x0CFF             ; PCI configuration and reset control 0xCF9
%endif
    call random
    mov dx, di
    out dx, al
    in al, dx
    call random
    out dx, ax
    in ax, dx
    call random
    mov bx, ax
    call random
    shl eax, 16
    mov ax, bx
    out dx, eax
    in eax, dx
.skip:
    inc di
    jnz .port
    inc bp
%ifndef ALL_PORTS
    mov dx, DEBUG_PORT
    mov al, 10
    out dx, al
    mov bx, msg_survived
.text:
    mov al, [cs:bx]
    test al, al
    jz .count
    out dx, al
    inc bx
    jmp .text
.count:
    mov ax, bp
    add al, '0'
    out dx, al
    mov al, 10
    out dx, al
%endif
    jmp .sweep

; xorshift16 (7, 9, 8): next state in SI, returned in AX
random:
    mov ax, si
    shl ax, 7
    xor si, ax
    mov ax, si
    shr ax, 9
    xor si, ax
    mov ax, si
    shl ax, 8
    xor si, ax
    mov ax, si
    ret

msg_survived: db "SURVIVED ", 0

    ROM_TAIL
