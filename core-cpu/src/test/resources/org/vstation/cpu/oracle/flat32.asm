; Guest for the host-CPU differential test (HostOracleDifferentialTest).
; Entered at the reset vector: switches to 32-bit flat protected mode with
; 4 KiB paging identity-mapping the first 4 MiB (so linear = physical = the
; addresses the native oracle maps, and every access goes through the TLB),
; installs an IDT whose handlers record any exception, then runs the cases
; the harness places at the OracleLayout addresses, one per GO flag,
; reporting each on the CASE_DONE port. The harness prepends the layout
; constants.

CASE_DONE_PORT  equ 0x80
IDT_BASE        equ 0x1000
GUEST_STACK     equ 0x9000
PAGE_DIR        equ 0x10000
PAGE_TABLE      equ 0x11000
GO_FLAG         equ CTRL + 0x60

        bits 16
        org 0xF0000
start16:
        cli
        cld
        mov ax, 0xF000
        mov ds, ax
        o32 lgdt [gdt_pointer - $$]
        mov eax, cr0
        or al, 1                        ; CR0.PE
        mov cr0, eax
        jmp dword 0x08:start32

        bits 32
start32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, GUEST_STACK
        ; Interrupt gates for vectors 0-31, each to its 16-byte stub below.
        mov edi, IDT_BASE
        mov ebx, exception_stubs
        mov ecx, 32
.gate:  mov eax, ebx
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov word [edi + 4], 0x8E00      ; present, DPL 0, 32-bit interrupt gate
        shr eax, 16
        mov [edi + 6], ax
        add edi, 8
        add ebx, 16
        dec ecx
        jnz .gate
        lidt [idt_pointer]
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PAGE_DIR], PAGE_TABLE | 3
        mov edi, PAGE_TABLE
        mov eax, 3                      ; present, writable
        mov ecx, 1024
.page:  stosd
        add eax, 0x1000
        dec ecx
        jnz .page
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp next_case

next_case:
        mov esp, GUEST_STACK
        out CASE_DONE_PORT, al          ; the previous case (or the boot) is done
.wait:  cmp byte [GO_FLAG], 0
        je .wait
        mov byte [GO_FLAG], 0
        mov dword [RESUME_PTR], next_case
        mov esp, STATE_IN
        popad
        popfd
        mov esp, [IN_ESP]
        jmp [CODE_PTR]

; An exception inside a case: record what the native oracle's signal handler
; records (registers, EFLAGS and EIP from the frame, ESP before the frame).
; Stack here: vector, error code (pushed by the CPU or the stub), EIP, CS, EFLAGS.
exception_common:
        mov [OUT_TOP - 0x08], eax
        mov [OUT_TOP - 0x0C], ecx
        mov [OUT_TOP - 0x10], edx
        mov [OUT_TOP - 0x14], ebx
        mov [OUT_TOP - 0x1C], ebp
        mov [OUT_TOP - 0x20], esi
        mov [OUT_TOP - 0x24], edi
        mov eax, [esp]
        mov [FAULT_VECTOR], eax
        mov eax, [esp + 8]
        mov [FAULT_EIP], eax
        mov eax, [esp + 16]
        mov [OUT_TOP - 4], eax
        lea eax, [esp + 20]
        mov [OUT_ESP], eax
        jmp next_case

        align 16
exception_stubs:
%assign vector 0
%rep 32
%if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17
        push byte vector                ; the CPU pushed an error code
%else
        push byte 0
        push byte vector
%endif
        jmp exception_common
        align 16
%assign vector vector + 1
%endrep

        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF           ; 0x08: code, base 0, 4 GiB, 32-bit, accessed
        dq 0x00CF93000000FFFF           ; 0x10: data, base 0, 4 GiB, writable, accessed
gdt_end:
gdt_pointer:
        dw gdt_end - gdt - 1
        dd gdt
idt_pointer:
        dw 32 * 8 - 1
        dd IDT_BASE

        times 0xFFF0 - ($ - $$) db 0xF4
        bits 16
        jmp 0xF000:(start16 - $$)
        times 0x10000 - ($ - $$) db 0xF4
