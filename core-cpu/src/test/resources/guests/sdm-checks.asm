; Checks QEMU's TCG does not make, so this guest's reference output is
; sdm-checks.expected, written from the Intel SDM (vol. 3, chapters 5 and 6;
; vol. 2 for MOV, PUSH, MOVS): segment limits on data and stack accesses
; (expand-up and expand-down), a REP MOVSB stopped by a limit part-way,
; writes through a code segment, a null DS, and CR0.PG without PE.
; (#AC and the single-step trap after MOV SS: sdm-pending.asm.)
%include "lib.inc"

main:
        ; FREE1: data, base 0x20000, limit 0xFFF. FREE2: expand-down, limit 0xFFF, B=1.
        ; FREE5: ring-3 data, base 0x20000, limit 0xFFF (a small ring-3 stack).
        mov edi, SEL_FREE1
        mov eax, 0x20000
        mov ebx, 0xFFF
        mov dx, 0x4093
        call set_descriptor
        mov edi, SEL_FREE2
        mov dx, 0x4097
        call set_descriptor
        mov edi, SEL_FREE5
        mov dx, 0x40F3
        call set_descriptor

        PRINT {"expand-up limit", 10}
        mov ax, SEL_FREE1
        mov ds, ax
        mov eax, [0xFFC]                ; last dword inside
        EXPECT_AT .up2, .up1
.up1:   mov eax, [0xFFD]                ; its last byte is past the limit
.up2:   PRINT {"expand-down limit", 10}
        mov ax, SEL_FREE2
        mov ds, ax
        mov eax, [0x1000]               ; lowest valid offset
        EXPECT_AT .down2, .down1
.down1: mov al, [0xFFF]
.down2: PRINT {"rep movsb into a limit", 10}
        mov ax, SEL_FREE1
        mov ds, ax
        mov esi, 0xFF0
        mov edi, SCRATCH + 0x100
        mov ecx, 0x40
        EXPECT_AT .movs2, .movs1
.movs1: rep movsb
.movs2: HEX "ecx", ecx
        HEX "esi", esi
        HEX "edi", edi
        NL

        PRINT {"stack limit at CPL 3", 10}
        EXPECT_AT .ss2, .ring3
        push dword SEL_FREE5 | 3
        push dword 0x1002
        push dword 0x0002
        push dword SEL_CODE3
        push dword .ring3
        iretd
.ring3: push eax                        ; 0xFFE-0x1001: past the limit
.ss2:
        PRINT {"write through a code segment", 10}
        EXPECT_AT .cs2, .cs1
.cs1:   mov [cs:SCRATCH], eax
.cs2:   PRINT {"null DS", 10}
        xor eax, eax
        mov ds, ax                      ; loading null is allowed
        EXPECT_AT .null2, .null1
.null1: mov eax, [SCRATCH]              ; using it is not
.null2:
        PRINT {"CR0.PG without PE", 10}
        EXPECT_AT .pg2, .pg1
        mov eax, cr0
        or eax, 0x80000000
        and eax, ~1
.pg1:   mov cr0, eax
.pg2:   FINISH

%include "tail.inc"
