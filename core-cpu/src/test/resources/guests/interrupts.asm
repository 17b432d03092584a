; External interrupts as the SDM describes them (vol. 3, 6.8 and 6.9), with
; the test harness as the interrupt controller (InterruptsTest): NMI wakes a
; HLT with IF clear; INTR wakes a HLT with IF set; INTR held while IF is
; clear waits, and after STI it is taken only once the next instruction has
; run (the STI shadow). The guest asks the harness to raise NMI or INTR by
; writing to REQUEST_PORT.
%include "lib.inc"

REQUEST_PORT    equ 0x0500              ; 1: NMI at the next HLT, 2: INTR now, 3: INTR at the next HLT
VEC_INTR        equ 0x40

%macro REQUEST 1
        push eax
        push edx
        mov dx, REQUEST_PORT
        mov al, %1
        out dx, al
        pop edx
        pop eax
%endmacro

main:
        mov eax, nmi_handler
        mov edi, 2
        mov bx, SEL_CODE0
        mov dl, 0x8E
        call set_idt_gate
        mov eax, intr_handler
        mov edi, VEC_INTR
        call set_idt_gate

        PRINT {"NMI wakes HLT with IF clear", 10}
        REQUEST 1
        cli
        hlt
after_nmi:
        PRINT {"after HLT", 10}

        PRINT {"INTR wakes HLT with IF set", 10}
        REQUEST 3
        sti
        hlt
after_intr:
        cli
        PRINT {"after HLT", 10}

        PRINT {"INTR while IF is clear, then STI", 10}
        REQUEST 2
        nop
        nop
        PRINT {"still masked", 10}
        sti
shadow: nop                             ; runs before the interrupt is taken
after_shadow:
        nop
        cli
        FINISH

; Each handler says where it interrupted, by name.
nmi_handler:
        PRINT "NMI"
        call where
        iretd

intr_handler:
        PRINT "INTR"
        call where
        iretd

; Prints the label the interrupted EIP ([esp + 4] here) matches.
where:
        push eax
        mov eax, [esp + 8]
        cmp eax, after_nmi
        je .after_nmi
        cmp eax, after_intr
        je .after_intr
        cmp eax, after_shadow
        je .after_shadow
        HEX "eip", eax
        jmp .done
.after_nmi:
        PRINT " at after_nmi"
        jmp .done
.after_intr:
        PRINT " at after_intr"
        jmp .done
.after_shadow:
        PRINT " at after_shadow"
.done:  NL
        pop eax
        ret

%include "tail.inc"
