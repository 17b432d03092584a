; The x87 state as an operating system sees it: FNSAVE/FRSTOR round trips in the
; 32-bit and 16-bit layouts of protected and real mode (SDM vol. 1, 8.1.10 and
; figures 8-9 to 8-12), and lazy FPU switching as Linux does it: CR0.TS set, the first x87
; instruction raises #NM, the handler clears TS, restores the state with FRSTOR
; and the instruction runs again.
; Compared with QEMU, so it prints only what QEMU models as the hardware does:
; not the reserved upper halves (FFFF on the hardware, 0 in QEMU), the pointer
; fields, DE from loads or FNSTENV's masking of exceptions; X87OracleTest checks
; those against the host's x87.
%include "lib.inc"

SAVE_A          equ 0xD000
SAVE_B          equ 0xD100
SAVE_C          equ 0xD200
SAVE_D          equ 0xD300

main:
        mov eax, cr0
        or eax, 0x22                    ; NE, MP
        and eax, ~0xC                   ; EM, TS clear
        mov cr0, eax

        PRINT {"32-bit layout", 10}
        call make_state
        fnsave [SAVE_A]
        HEX16 "fcw", [SAVE_A]
        HEX16 "fsw", [SAVE_A + 4]
        HEX16 "ftw", [SAVE_A + 8]
        NL
        mov esi, SAVE_A + 28
        mov ecx, 40                     ; ST(0)..ST(7)
        call print_words
        call print_after_save
        frstor [SAVE_A]
        fnsave [SAVE_B]
        mov esi, SAVE_A
        mov edi, SAVE_B
        mov ebx, 28
        mov edx, 12
        call compare
        frstor [SAVE_B]
        call print_stack

        PRINT {"16-bit layout", 10}
        call make_state
        o16 fnsave [SAVE_A]
        mov esi, SAVE_A
        mov ecx, 3                      ; FCW, FSW, FTW
        call print_words
        mov esi, SAVE_A + 14
        mov ecx, 40
        call print_words
        call print_after_save
        o16 frstor [SAVE_A]
        o16 fnsave [SAVE_B]
        mov esi, SAVE_A
        mov edi, SAVE_B
        mov ebx, 14
        mov edx, 6
        call compare
        o16 frstor [SAVE_B]
        call print_stack

        PRINT {"real mode", 10}
        call make_state
        cli
        jmp SEL_CODE16:(.pm16 - $$)
        bits 16
.pm16:  mov ax, SEL_DATA16
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov eax, cr0
        and eax, ~1
        mov cr0, eax
        jmp 0xF000:(.real - $$)
.real:  xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        fnsave [SAVE_A]                 ; the 16-bit real-mode layout
        frstor [SAVE_A]
        fnsave [SAVE_B]
        frstor [SAVE_B]
        o32 fnsave [SAVE_C]             ; the 32-bit real-mode layout
        o32 frstor [SAVE_C]
        o32 fnsave [SAVE_D]
        o32 frstor [SAVE_D]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword SEL_CODE0:.protected
        bits 32
.protected:
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov ss, ax
        HEX16 "fcw", [SAVE_A]
        HEX16 "fsw", [SAVE_A + 2]
        HEX16 "ftw", [SAVE_A + 4]
        NL
        mov esi, SAVE_A
        mov edi, SAVE_B
        mov ebx, 14
        mov edx, 6
        call compare
        mov esi, SAVE_C + 28
        mov ecx, 40
        call print_words
        mov esi, SAVE_C
        mov edi, SAVE_D
        mov ebx, 28
        mov edx, 12
        call compare
        call print_stack

        PRINT {"environment", 10}
        call make_state
        fnstenv [SAVE_A]
        fninit
        fldenv [SAVE_A]
        fnstcw [SCRATCH]
        HEX16 "fcw", [SCRATCH]
        fnstsw ax
        HEX16 "fsw", ax
        NL
        call print_stack

        PRINT {"lazy switch", 10}
        call make_state
        fnsave [SAVE_A]                 ; the outgoing task's state
        mov eax, cr0
        or eax, 0x8                     ; TS: the next x87 instruction faults
        mov cr0, eax
        EXPECT .nm
        fadd st0, st2
.nm:    clts                            ; the #NM handler's work
        frstor [SAVE_A]
        fadd st0, st2                   ; the retried instruction
        call print_stack
        fninit
        FINISH

; A state worth saving: 53-bit precision, round up, PE and C1 from a rounded division, a
; freed register in the middle of the stack, a denormal and a zero.
make_state:
        fninit
        mov word [SCRATCH], 0x0A72
        fldcw [SCRATCH]
        fld1
        fldpi
        fdiv st0, st1
        fldl2e
        fldpi
        fdivr st0, st1
        mov dword [SCRATCH], 0x12345678  ; an extended denormal (FLD m80 raises nothing)
        mov dword [SCRATCH + 4], 0x00ABCDEF
        mov word [SCRATCH + 8], 0x8000
        fld tword [SCRATCH]
        fldz
        ffree st3
        ret

; print_words: ESI = address, ECX = number of 16-bit words, in hex, then a new line.
print_words:
        pushad
.next:  movzx eax, word [esi]
        call puthex16
        mov al, ' '
        call putc
        add esi, 2
        loop .next
        popad
        NL
        ret

; After FNSAVE the unit is in its FNINIT state.
print_after_save:
        fnstcw [SCRATCH]
        HEX16 "fcw", [SCRATCH]
        fnstsw ax
        HEX16 "fsw", ax
        NL
        ret

; compare: the images at ESI and EDI, their first EDX bytes (control, status and tag words) and
; the 80 bytes of registers at offset EBX; prints whether they are the same.
compare:
        pushad
        push esi
        push edi
        mov ecx, edx
        repe cmpsb
        pop edi
        pop esi
        jne .differ
        add esi, ebx
        add edi, ebx
        mov ecx, 80
        repe cmpsb
        jne .differ
        PRINT {"round trip: same", 10}
        popad
        ret
.differ:
        PRINT {"round trip: differs at"}
        HEX "offset", esi
        NL
        popad
        ret

; print_stack: the status word, then ST(0) and ST(1) as stored by FSTP m80.
print_stack:
        fnstsw ax
        HEX16 "fsw", ax
        fstp tword [SCRATCH]
        HEX16 "st0.se", [SCRATCH + 8]
        HEX "st0.hi", [SCRATCH + 4]
        HEX "st0.lo", [SCRATCH]
        fstp tword [SCRATCH]
        HEX16 "st1.se", [SCRATCH + 8]
        HEX "st1.hi", [SCRATCH + 4]
        HEX "st1.lo", [SCRATCH]
        NL
        ret

%include "tail.inc"
