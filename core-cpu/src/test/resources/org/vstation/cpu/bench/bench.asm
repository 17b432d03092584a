; The CPU benchmark guest. CpuBenchmark embeds the bytes this assembles to
; (BenchmarkImageTest checks they agree), so nasm is not needed at run time.
;
; From the reset vector: 32-bit protected mode, 4 KiB paging identity-mapping
; 0-8 MiB, the workloads copied to RAM (hot guest code runs from RAM, not
; from the firmware ROM), then OUT to START_PORT (the workload begins) and
; one workload for ITERATIONS rounds, then OUT 0 to EXIT_PORT (QEMU's
; isa-debug-exit).
; WORKLOAD and ITERATIONS are dwords patched into the image.

PAGE_DIR        equ 0x10000
PAGE_TABLES     equ 0x11000
STACK_TOP       equ 0x9000
COPY_SOURCE     equ 0x100000
COPY_TARGET     equ 0x200000
COPY_DWORDS     equ 1024
WORKLOAD_RAM    equ 0x300000
START_PORT      equ 0x80
EXIT_PORT       equ 0xF4
WORKLOAD        equ 0xFFFE0             ; 0 alu-loop, 1 mem-copy, 2 call-ret
ITERATIONS      equ 0xFFFE4

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
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PAGE_DIR], PAGE_TABLES + 3
        mov dword [PAGE_DIR + 4], PAGE_TABLES + 0x1000 + 3
        mov edi, PAGE_TABLES
        mov eax, 3                      ; present, writable
        mov ecx, 2048
.map:   stosd
        add eax, 0x1000
        dec ecx
        jnz .map
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged: mov esi, workloads
        mov edi, WORKLOAD_RAM
        mov ecx, workloads_end - workloads
        rep movsb
        mov ecx, [ITERATIONS]
        mov eax, [WORKLOAD]
        out START_PORT, al
        mov ebx, [workload_entries + eax * 4]
        add ebx, WORKLOAD_RAM
        jmp ebx

workload_entries:
        dd alu_loop - workloads, mem_copy - workloads, call_ret - workloads

; Position-independent from here to workloads_end: it runs from its copy in RAM.
workloads:
alu_loop:                               ; 8 instructions a round
        mov eax, 1
        mov ebx, 3
.round: add eax, ebx
        adc edx, eax
        xor ebx, edx
        sub esi, eax
        or edi, esi
        inc ebp
        dec ecx
        jnz .round
        jmp finish

mem_copy:                               ; 5 + 6 * COPY_DWORDS instructions a round
        mov edx, ecx
.round: mov esi, COPY_SOURCE
        mov edi, COPY_TARGET
        mov ecx, COPY_DWORDS
.dword: mov eax, [esi]
        mov [edi], eax
        add esi, 4
        add edi, 4
        dec ecx
        jnz .dword
        dec edx
        jnz .round
        jmp finish

call_ret:                               ; 7 instructions a round
.round: call .leaf
        dec ecx
        jnz .round
        jmp finish
.leaf:  push ebx
        add eax, ebx
        pop ebx
        ret

finish: xor eax, eax
        out EXIT_PORT, al
.halt:  cli
        hlt
        jmp .halt
workloads_end:

        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF           ; 0x08 code, 4 GiB, 32-bit
        dq 0x00CF93000000FFFF           ; 0x10 data, 4 GiB
gdt_end:
code_end:

        times WORKLOAD - 0xF0000 - ($ - $$) db 0
        dd 0
        dd 0
        times 0xFFF0 - ($ - $$) db 0
        bits 16
        jmp 0xF000:(start16 - $$)
        times 0x10000 - ($ - $$) db 0
