; Which encodings raise an exception, and which: every probe the harness
; lists (OpcodeSweepTest writes opcode-probes.inc: 16 bytes each, NOP-padded;
; memory operands are [EBX]) runs in ring 0 from a RAM buffer with EBX
; pointing at zeroed scratch memory, and the guest prints one character per
; probe, 16 to a row: '.' when it ran through, else the exception vector as
; a digit or letter (6 = #UD, D = #GP, ...).

CODE_BUF        equ 0x30000
SCRATCH_BUF     equ 0x31000
PROBE_STACK     equ 0x32000
result          equ SCRATCH - 0x80
probe_esp       equ SCRATCH - 0x7C

%include "lib.inc"

main:
        xor ecx, ecx
.gate:  mov eax, ecx
        shl eax, 4
        add eax, probe_stubs
        mov edi, ecx
        mov bx, SEL_CODE0
        mov dl, 0x8E
        call set_idt_gate
        inc ecx
        cmp ecx, 32
        jb .gate
        mov esi, probes
        xor ebp, ebp                    ; probes done
sweep_next:
        cmp esi, probes_end
        jae sweep_done
        test ebp, 0xF
        jnz .copy
        test ebp, ebp
        jz .row
        NL
.row:   mov eax, ebp
        HEX8 "row", al
        PRINT ":"
.copy:  mov edi, CODE_BUF
        mov ecx, 16
        rep movsb
        mov byte [edi], 0xE9            ; JMP probe_done
        mov eax, probe_done - (CODE_BUF + 16 + 5)
        mov [edi + 1], eax
        push esi
        push ebp
        mov edi, SCRATCH_BUF
        xor eax, eax
        mov ecx, 64
        rep stosd
        mov byte [result], '.'
        mov [probe_esp], esp
        mov esp, PROBE_STACK
        xor eax, eax
        mov ebx, SCRATCH_BUF
        mov ecx, 0x10                   ; the TSC MSR, for RDMSR
        xor edx, edx
        xor esi, esi
        xor edi, edi
        xor ebp, ebp
        push dword 0x0002
        popfd
        jmp CODE_BUF
probe_done:
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov ss, ax
        xor ax, ax
        mov fs, ax
        mov gs, ax
        mov esp, [probe_esp]
        cld
        clts
        mov al, [result]
        call putc
        pop ebp
        pop esi
        inc ebp
        jmp sweep_next
sweep_done:
        NL
        FINISH

; An exception in a probe: its vector as one hex digit, then on to the next.
        align 16
probe_stubs:
%assign vector 0
%rep 32
        mov byte [ss:result], vector + (vector < 10 ? '0' : 'A' - 10)
        jmp probe_done
        align 16
%assign vector vector + 1
%endrep

probes:
%include "opcode-probes.inc"
probes_end:

%include "tail.inc"
