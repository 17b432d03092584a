; SYSENTER/SYSEXIT: the SEP feature bit, the SYSENTER_CS/ESP/EIP MSRs, the
; flat segments they imply (CS+16/SS+24 with RPL 3 for SYSEXIT, CS/CS+8 for
; SYSENTER), and #GP(0) for SYSEXIT at CPL 3 and SYSENTER with SYSENTER_CS=0.
%include "lib.inc"

IA32_SYSENTER_CS  equ 0x174
IA32_SYSENTER_ESP equ 0x175
IA32_SYSENTER_EIP equ 0x176
SYSENTER_STACK    equ STACK0_TOP - 0x200

%macro WRMSR 2
        mov ecx, %1
        mov eax, %2
        xor edx, edx
        wrmsr
%endmacro

main:
        mov eax, 1
        cpuid
        shr edx, 11
        and edx, 1
        HEX8 "cpuid.sep", dl
        NL
        WRMSR IA32_SYSENTER_CS, SEL_CODE0
        WRMSR IA32_SYSENTER_ESP, SYSENTER_STACK
        WRMSR IA32_SYSENTER_EIP, sys_entry
        mov ecx, IA32_SYSENTER_CS
        rdmsr
        HEX "cs.msr", eax
        mov ecx, IA32_SYSENTER_ESP
        rdmsr
        HEX "esp.msr", eax
        mov ecx, IA32_SYSENTER_EIP
        rdmsr
        HEX "eip.msr", eax
        NL

        PRINT {"SYSEXIT to ring 3", 10}
        EXPECT .gp_exit
        mov ecx, STACK3_TOP - 0x10
        mov edx, ring3
        sysexit

.gp_exit:
        PRINT {"SYSEXIT at CPL 3", 10}
        EXPECT .gp_enter
        TO_RING3 .r3_exit, 0x0002
.r3_exit:
        sysexit

.gp_enter:
        PRINT {"SYSENTER with SYSENTER_CS = 0", 10}
        WRMSR IA32_SYSENTER_CS, 0
        EXPECT .done
        TO_RING3 .r3_enter, 0x0002
.r3_enter:
        sysenter
.done:  FINISH

ring3:
        mov ax, ds                      ; SYSEXIT does not touch DS
        HEX16 "ring3.ds", ax
        mov ax, cs
        HEX16 "cs", ax
        mov ax, ss
        HEX16 "ss", ax
        HEX "esp", esp
        NL
        mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        mov ecx, esp
        mov edx, .back
        sysenter
.back:  PRINT "ring3 again"
        mov ax, cs
        HEX16 "cs", ax
        HEX "esp", esp
        NL
        int VEC_RESUME

sys_entry:
        PRINT "sysenter"
        mov ax, cs
        HEX16 "cs", ax
        mov ax, ss
        HEX16 "ss", ax
        HEX "esp", esp
        HEX "ecx", ecx
        HEX "edx", edx
        NL
        sysexit

%include "tail.inc"
