; As stack-faults.asm, but the frame that cannot be pushed is the one on the
; ring-0 stack of an INT from ring 3 (TSS.ESP0 points just above a
; not-present page): the #DF task must find the ring-3 task's state intact
; in its TSS (CS, SS and ESP of ring 3), since a fault during the delivery
; leaves the processor as it was before the INT (SDM vol. 3, 6.5).
%include "lib.inc"

%include "stack-faults.inc"

main:
        call setup_guard_page_and_double_fault_task

        PRINT {"INT 30h from ring 3 with ESP0 in a guard page", 10}
        mov dword [TSS0 + 4], GUARD_PAGE + 0x1000 + 8
        TO_RING3 .r3, 0x0002
.r3:    int 0x30
        PRINT {"not reached", 10}
        FINISH

double_fault_task:
        REPORT_DOUBLE_FAULT
        HEX16 "old.cs", [TSS0 + 0x4C]
        HEX16 "old.ss", [TSS0 + 0x50]
        HEX "old.eip", [TSS0 + 0x20]
        NL
        FINISH

%include "tail.inc"
