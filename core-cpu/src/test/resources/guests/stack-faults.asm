; A kernel stack overflow, as Linux handles it: with paging on, ESP points
; into a not-present page and INT3 cannot push its frame (#PF), the #PF
; cannot push its own (a second #PF: #DF), and the #DF goes through a task
; gate to a task with a good stack, which reports CR2, the error code and
; the state the old task left in its TSS. (SDM vol. 3, 6.15 table 6-5 and
; interrupt 8.)
%include "lib.inc"

%include "stack-faults.inc"

main:
        call setup_guard_page_and_double_fault_task

        PRINT {"INT3 with ESP at the bottom of a guard page", 10}
        mov ecx, 0x11111111
        mov esp, GUARD_PAGE + 0x1000 + 8        ; room for two of the frame's three dwords
        int3
        PRINT {"not reached", 10}
        FINISH

double_fault_task:
        REPORT_DOUBLE_FAULT
        NL
        FINISH

%include "tail.inc"
