; The console benchmark's guest: a 64 KiB stand-in system BIOS that ConsoleBenchmark assembles
; with nasm when it runs. From the reset vector it enters 32-bit protected mode, places the
; standard VGA's linear framebuffer (PCI 00:02.0 BAR0) at LFB_BASE, sets a 1024x768x32 Bochs VBE
; mode, copies its loop to RAM and then repeats forever, with interrupts off:
;   change every 4 KiB page of the visible framebuffer (one pixel each, a new colour and place
;   each frame), so every picture the renderer draws and the console shows is a full 1024x768
;   update; with -DWHOLE_FRAME rewrite every pixel instead (REP STOSD), which costs the guest far
;   more than the console's work, as each store goes through the framebuffer's MMIO window;
;   COMPUTE_ROUNDS rounds of a fixed ALU, multiply and memory loop.
; The guest never looks at a clock, so the instructions it runs are the same whatever the host's
; speed: a window of N guest instructions is the same work headless and with a console.
; Port 0x1CE/0x1CF: Bochs VBE display API (vbe_display_api.txt); 0xCF8/0xCFC: PCI local bus
; specification 2.1, configuration mechanism #1.

PCI_ADDRESS     equ 0xCF8
PCI_DATA        equ 0xCFC
VGA_COMMAND     equ 0x80001004              ; bus 0, device 2, function 0, register 04h
VGA_BAR0        equ 0x80001010              ; register 10h
COMMAND_IO_MEMORY equ 0x0003
DISPI_INDEX     equ 0x1CE
DISPI_DATA      equ 0x1CF
DISPI_XRES      equ 1
DISPI_YRES      equ 2
DISPI_BPP       equ 3
DISPI_ENABLE    equ 4
DISPI_ENABLED_LFB equ 0x41
LFB_BASE        equ 0xE0000000
WIDTH           equ 1024
HEIGHT          equ 768
STACK_TOP       equ 0x9000
LOOP_RAM        equ 0x100000
BUFFER          equ 0x200000                ; the compute loop's 64 KiB of data
BUFFER_MASK     equ 0xFFFC
FRAME_PAGES     equ WIDTH * HEIGHT * 4 / 4096
COMPUTE_ROUNDS  equ 10000                   ; 10 instructions each

        bits 16
        org 0xF0000
gdt_pointer:
        dw gdt_end - gdt - 1
        dd gdt
start16:
        cli
        mov ax, 0xF000
        mov ds, ax
        o32 lgdt [gdt_pointer - $$]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:start32

        bits 32
start32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, STACK_TOP
        mov dx, PCI_ADDRESS
        mov eax, VGA_BAR0
        out dx, eax
        mov dx, PCI_DATA
        mov eax, LFB_BASE
        out dx, eax
        mov dx, PCI_ADDRESS
        mov eax, VGA_COMMAND
        out dx, eax
        mov dx, PCI_DATA
        mov ax, COMMAND_IO_MEMORY
        out dx, ax
        mov dx, DISPI_INDEX
        mov ax, DISPI_XRES
        out dx, ax
        inc dx
        mov ax, WIDTH
        out dx, ax
        dec dx
        mov ax, DISPI_YRES
        out dx, ax
        inc dx
        mov ax, HEIGHT
        out dx, ax
        dec dx
        mov ax, DISPI_BPP
        out dx, ax
        inc dx
        mov ax, 32
        out dx, ax
        dec dx
        mov ax, DISPI_ENABLE
        out dx, ax
        inc dx
        mov ax, DISPI_ENABLED_LFB
        out dx, ax
        mov esi, frame_loop
        mov edi, LOOP_RAM
        mov ecx, frame_loop_end - frame_loop
        rep movsb
        jmp LOOP_RAM

; Position-independent from here to frame_loop_end: it runs from its copy in RAM.
frame_loop:
        xor ebp, ebp                        ; frame number
        mov ebx, 0x12345678
.frame: mov eax, ebp
        imul eax, eax, 0x00010307           ; a different colour every frame
%ifdef WHOLE_FRAME
        mov edi, LFB_BASE
        mov ecx, WIDTH * HEIGHT
        rep stosd
%else
        lea edi, [ebp * 4]
        and edi, 0xFFC
        add edi, LFB_BASE                   ; a different pixel of each page every frame
        mov ecx, FRAME_PAGES
.page:  mov [edi], eax
        add edi, 4096
        dec ecx
        jnz .page
%endif
        mov ecx, COMPUTE_ROUNDS
        mov esi, BUFFER
.round: mov eax, [esi]
        add ebx, eax
        imul ebx, ebx, 0x9E3779B1
        xor [esi], ebx
        add esi, 4
        and esi, BUFFER_MASK
        or esi, BUFFER
        rol ebx, 5
        dec ecx
        jnz .round
        inc ebp
        jmp .frame
frame_loop_end:

        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF               ; 0x08 code, 4 GiB, 32-bit
        dq 0x00CF93000000FFFF               ; 0x10 data, 4 GiB
gdt_end:

        times 0xFFF0 - ($ - $$) db 0
        bits 16
        jmp 0xF000:(start16 - $$)
        times 0x10000 - ($ - $$) db 0
