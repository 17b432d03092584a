; The processor's side of x87 errors: #NM from CR0.TS/EM/MP, and #MF
; (vector 16) at the next waiting x87 instruction after an unmasked error
; when CR0.NE is set; FNSTSW shows the status word the error left.
%include "lib.inc"

main:
        mov eax, cr0
        or eax, 0x22                    ; NE, MP
        and eax, ~0xC                   ; EM, TS clear
        mov cr0, eax
        fninit
        fnstsw ax
        HEX16 "fsw.init", ax
        fnstcw [SCRATCH]
        HEX16 "fcw.init", [SCRATCH]
        NL

        PRINT {"WAIT with TS and MP", 10}
        mov eax, cr0
        or eax, 0x8
        mov cr0, eax
        EXPECT .nm
        fwait
.nm:    clts

        PRINT {"zero divide unmasked", 10}
        mov word [SCRATCH], 0x037B      ; ZM clear, the other exceptions masked
        fldcw [SCRATCH]
        fld1
        fldz
        ; ST(0) = ST(1) / ST(0) = 1/0: the error is pending, not raised. Not FDIVP: an unmasked error leaves
        ; TOP alone on the hardware (checked against the host x87 by X87OracleTest), QEMU pops anyway.
        fdivr st0, st1
        fnstsw ax
        HEX16 "fsw.pending", ax
        NL
        EXPECT .mf
        fwait
.mf:    fnstsw ax
        HEX16 "fsw.after", ax
        NL
        fninit
        FINISH

%include "tail.inc"
