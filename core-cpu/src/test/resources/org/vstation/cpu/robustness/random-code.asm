; Guest for RandomCodeTest: boots, then jumps into random bytes the harness
; put at RANDOM_CODE, in the mode the harness chose at MODE:
;   0: real mode, 1000:0000      1: 32-bit protected mode, ring 0
;   2: ring 3 (IOPL 0)           3: ring 0 with paging (a 4 MiB identity page)
; Every exception vector skips one byte and returns, so the random code keeps
; running through whatever it raises.
%include "lib.inc"

MODE            equ 0x0500
RANDOM_CODE     equ 0x10000
PAGE_DIR        equ 0x20000

main:
        xor ecx, ecx
.gate:  mov eax, ecx
        shl eax, 4
        add eax, skip_stubs
        mov edi, ecx
        mov bx, SEL_CODE0
        mov dl, 0xEE                    ; interrupt gate, DPL 3: INT n from ring 3 lands here too
        call set_idt_gate
        inc ecx
        cmp ecx, 256
        jb .gate
        mov eax, [MODE]
        cmp eax, 1
        je RANDOM_CODE
        cmp eax, 2
        je .ring3
        cmp eax, 3
        je .paging
        mov ax, SEL_DATA16              ; real mode: 64 KiB segment caches first
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        jmp SEL_CODE16:(to_real - $$)
.ring3: TO_RING3 RANDOM_CODE, 0x0002
.paging:
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PAGE_DIR], 0x87      ; 4 MiB page at 0: present, writable, user
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp RANDOM_CODE

        align 16
skip_stubs:
%assign vector 0
%rep 256
%if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17
        add esp, 4                      ; drop the error code
%endif
        add dword [esp], 1
        iretd
        align 16
%assign vector vector + 1
%endrep

        bits 16
to_real:
        mov eax, cr0
        and al, 0xFE
        mov cr0, eax
        jmp 0xF000:(real_mode - $$)
real_mode:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7000
        jmp 0x1000:0x0000
        bits 32

%include "tail.inc"
