; A triple fault: with an empty IDT, INT3 cannot be delivered (#GP), neither
; can the #GP (#DF), nor the #DF: the processor shuts down. QEMU with
; -no-reboot exits; X86Cpu.run returns SHUTDOWN. Nothing is printed after.
%include "lib.inc"

main:
        PRINT {"shutting down", 10}
        mov word [SCRATCH], 0
        mov dword [SCRATCH + 2], 0
        lidt [SCRATCH]
        int3
        PRINT {"still running", 10}
        FINISH

%include "tail.inc"
