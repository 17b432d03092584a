; A 64 KiB "BIOS" that writes pseudo-random bytes, words and dwords to every
; I/O port 0x0000-0xFFFF and reads each back, with interrupts off (issue 5,
; "done when" 4). First it does the firmware's part, so that the garbage also
; reaches the PCI functions: every I/O BAR gets an address and I/O decoding
; is enabled, the PIIX3 IDE channels decode their legacy ports and the PIIX4
; power management block sits at 0xB000, as SeaBIOS leaves them; each BAR it
; placed is reported as "BAR <config address> <value read back>". Bus
; mastering stays off, so no device may write over this guest's stack.
; Without ALL_PORTS the sweep skips the ports whose garbage would
; legitimately kill the guest itself (8042 and port 92h resets, 0xCF9, PCI
; configuration, which can unmap this ROM, fw_cfg DMA, which can overwrite
; its stack, and PM1 control, whose SLP_EN powers the machine off) and
; reports "SURVIVED <rounds>" on the debug console after each full sweep; a
; word or dword write also reaches the ports above its address, so each
; skipped range starts three ports early. With ALL_PORTS nothing is skipped:
; the guest may reset or crash as on real hardware, the emulator must not.

bits 16
org 0
%include "rom-guest.inc"

DEBUG_PORT  equ 0x402
PCI_ADDRESS equ 0xCF8
PCI_DATA    equ 0xCFC
IO_BAR_BASE equ 0xC000              ; where SeaBIOS starts placing I/O BARs
PIIX3_IDE   equ 0x80000900          ; 00:01.1
PIIX4_PM    equ 0x80000B00          ; 00:01.3
IDETIM      equ 0x40                ; primary and secondary timing, bit 15: decode enable
PMBA        equ 0x40                ; PIIX4 datasheet 3.2: power management base address
PMREGMISC   equ 0x80                ; bit 0: PM I/O space enable
PM_BASE     equ 0xB000

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
    call map_pci
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
    SKIP PM_BASE + 1, PM_BASE + 5   ; PM1 control (PM base + 4)
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

; Every function on bus 0: size each BAR (PCI Local Bus spec 3.0, 6.2.5.1: write all ones, read back),
; place the I/O ones from IO_BAR_BASE up, aligned to their size, leave memory BARs as they were, and set
; the command register's I/O space enable.
map_pci:
    mov ebx, 0x80000000             ; bus 0, device 0, function 0, register 0
    mov bp, IO_BAR_BASE             ; next free I/O address
.function:
    call config_read
    cmp ax, 0xFFFF                  ; no function here
    je .next_function
    mov bl, 0x10                    ; BAR0
.bar:
    call config_read
    mov edi, eax                    ; the BAR as it was
    mov eax, 0xFFFFFFFF
    call config_write
    call config_read
    test al, 1
    jz .leave_bar                   ; a memory BAR, or none
    and ax, 0xFFFC
    neg ax                          ; the size
    mov cx, ax
    dec ax
    add bp, ax
    not ax
    and bp, ax                      ; the next free address aligned up to the size
    movzx eax, bp
    add bp, cx
    call config_write
    call report_bar
    jmp .next_bar
.leave_bar:
    mov eax, edi
    call config_write
.next_bar:
    add bl, 4
    cmp bl, 0x28
    jb .bar
    mov bl, 0x04                    ; command: I/O space enable only, no bus mastering
    call config_read
    or al, 1
    and al, 0xFB
    call config_write
.next_function:
    mov bl, 0
    add ebx, 0x100
    cmp ebx, 0x80010000             ; past bus 0
    jb .function

    mov ebx, PIIX3_IDE | IDETIM
    mov eax, 0x80008000             ; both channels decode 0x1F0/0x3F6 and 0x170/0x376
    call config_write
    mov ebx, PIIX4_PM | PMBA
    mov eax, PM_BASE | 1
    call config_write
    call report_bar
    mov ebx, PIIX4_PM | PMREGMISC
    call config_read
    or al, 1
    call config_write
    ret

; EAX = the dword at configuration address EBX
config_read:
    mov dx, PCI_ADDRESS
    xchg eax, ebx
    out dx, eax
    xchg eax, ebx
    mov dx, PCI_DATA
    in eax, dx
    ret

; the dword at configuration address EBX = EAX
config_write:
    mov dx, PCI_ADDRESS
    xchg eax, ebx
    out dx, eax
    xchg eax, ebx
    mov dx, PCI_DATA
    out dx, eax
    ret

; "BAR <EBX> <the register read back>" on the debug console
report_bar:
    mov dx, DEBUG_PORT
    mov al, 'B'
    out dx, al
    mov al, 'A'
    out dx, al
    mov al, 'R'
    out dx, al
    mov eax, ebx
    call print_hex32
    call config_read
    call print_hex32
    mov dx, DEBUG_PORT
    mov al, 10
    out dx, al
    ret

; " " and EAX as eight hex digits on the debug console
print_hex32:
    mov edx, eax
    push dx
    mov dx, DEBUG_PORT
    mov al, ' '
    out dx, al
    pop dx
    mov cx, 8
.digit:
    rol edx, 4
    mov al, dl
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '0' - 10
.out:
    push dx
    mov dx, DEBUG_PORT
    out dx, al
    pop dx
    loop .digit
    ret

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
