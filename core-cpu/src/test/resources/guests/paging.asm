; Paging: 4 KiB and 4 MiB (CR4.PSE) pages, accessed and dirty bits in PTEs
; and PDEs, #PF error codes with CR2 for not-present, read-only (CR0.WP) and
; supervisor pages from rings 0 and 3 and for instruction fetches, a REP MOVSB
; that faults part-way (and, with a handler that maps the page, resumes and
; finishes), and INVLPG / CR3 reloads taking new mappings.
%include "lib.inc"

PAGE_DIR        equ 0x10000
PT0             equ 0x11000
PT2             equ 0x12000                                     ; 8-12 MiB -> 0-4 MiB, through a read-only PDE
P               equ 0x001
RW              equ 0x002
US              equ 0x004
PS              equ 0x080
A_D             equ 0x060

%macro PTE 1                            ; the PT0 entry of linear address %1 (below 4 MiB)
        [PT0 + (%1 >> 12) * 4]
%endmacro

%macro SHOW_CR2 0
        mov eax, cr2
        HEX "cr2", eax
        NL
%endmacro

main:
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov edi, PT0
        mov eax, P | RW | US
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [PAGE_DIR + 0 * 4], PT0 | P | RW | US
        mov dword [PAGE_DIR + 1 * 4], 0x00000000 | PS | P | RW | US    ; 4-8 MiB -> 0-4 MiB
        mov dword [PAGE_DIR + 3 * 4], 0x00000000 | PS | P | RW         ; 12-16 MiB: supervisor
        mov edi, PT2
        mov eax, P | RW | US
        mov ecx, 1024
.fill2: stosd
        add eax, 0x1000
        loop .fill2
        and dword [PT2 + 0x21 * 4], ~US                                ; 0x821000: supervisor PTE
        mov dword [PAGE_DIR + 2 * 4], PT2 | P | US                     ; the PDE denies writes
        and dword [PT0 + 0x60 * 4], ~P                                 ; 0x60000 not present
        and dword [PT0 + 0x61 * 4], ~RW                                ; 0x61000 read-only
        and dword [PT0 + 0x62 * 4], ~US                                ; 0x62000 supervisor
        and dword [PT0 + 0x63 * 4], ~P                                 ; 0x63000 not present
        and dword [PT0 + 0x65 * 4], ~P                                 ; 0x65000 not present
        mov dword [0x20000], 0x13572468
        mov dword [0x50000], 0x0BADF00D
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged: PRINT "paging"
        HEX "cr0", cr0
        HEX "cr3", cr3
        HEX "cr4", cr4
        NL
        PRINT "4M alias"
        HEX "read", [0x420000]
        NL

        PRINT "A/D"
        HEX "pte", [PT0 + 0x50 * 4]
        mov eax, [0x50000]
        HEX "after.read", [PT0 + 0x50 * 4]
        mov [0x50004], eax
        HEX "after.write", [PT0 + 0x50 * 4]
        HEX "pde1", [PAGE_DIR + 1 * 4]
        mov eax, [0x430000]
        HEX "pde1.read", [PAGE_DIR + 1 * 4]
        mov [0x430000], eax
        HEX "pde1.write", [PAGE_DIR + 1 * 4]
        NL

        PRINT {"not present", 10}
        EXPECT .np2
        mov eax, [0x60000]
.np2:   SHOW_CR2
        EXPECT .np3
        mov dword [0x60010], 1
.np3:   SHOW_CR2
        EXPECT .np4
        mov eax, [0x1400123]            ; PDE not present
.np4:   SHOW_CR2

        PRINT "read-only, WP=0"
        mov dword [0x61000], 0x77
        HEX "wrote", [0x61000]
        NL
        mov eax, cr0
        or eax, 0x10000                 ; WP
        mov cr0, eax
        EXPECT .wp2
        mov dword [0x61004], 0x88
.wp2:   SHOW_CR2

        PRINT {"read-only PDE, writable PTE, WP=1", 10}
        EXPECT .pde2
        mov dword [0x820000], 1
.pde2:  SHOW_CR2

        PRINT {"ring 3", 10}
        EXPECT .u2
        TO_RING3 .u1, 0x0002
.u1:    mov bx, SEL_DATA3              ; IRET to ring 3 nulled DS
        mov ds, bx
        mov eax, [0x62008]              ; supervisor page
.u2:    SHOW_CR2
        EXPECT .u4
        TO_RING3 .u3, 0x0002
.u3:    mov bx, SEL_DATA3              ; IRET to ring 3 nulled DS
        mov ds, bx
        mov dword [0x6100C], 0          ; read-only user page
.u4:    SHOW_CR2
        EXPECT .u6
        TO_RING3 .u5, 0x0002
.u5:    mov bx, SEL_DATA3              ; IRET to ring 3 nulled DS
        mov ds, bx
        mov eax, [0xC00040]             ; supervisor 4 MiB page
.u6:    SHOW_CR2
        EXPECT .u10
        TO_RING3 .u9, 0x0002
.u9:    mov bx, SEL_DATA3
        mov ds, bx
        mov eax, [0x820010]             ; user PDE and PTE: fine
        mov eax, [0x821010]             ; user PDE, supervisor PTE
.u10:   SHOW_CR2
        EXPECT .u8
        TO_RING3 0x63000, 0x0002        ; fetch from a not-present page at CPL 3
.u8:    SHOW_CR2

        PRINT {"fetch", 10}
        EXPECT .f2
        jmp 0x63000
.f2:    SHOW_CR2

        PRINT {"rep movsb into a not-present page", 10}
        mov esi, 0x20000
        mov edi, 0x64FF8
        mov ecx, 0x20
        EXPECT .s2
        rep movsb
.s2:    HEX "ecx", ecx
        HEX "esi", esi
        HEX "edi", edi
        SHOW_CR2

        PRINT {"rep movsb resumed by a #PF handler that maps the page", 10}
        mov eax, demand_page_fault
        mov edi, 14
        mov bx, SEL_CODE0
        mov dl, 0x8E
        call set_idt_gate
        mov esi, 0x20000
        mov edi, 0x65FF0                ; 0x65000 is still not present
        mov ecx, 0x20
        rep movsb
        HEX "ecx", ecx
        HEX "esi", esi
        HEX "edi", edi
        HEX "copied", [0x66000]
        HEX "faults", [SCRATCH + 0x10]
        NL

        PRINT "invlpg"
        mov dword [PT0 + 0x50 * 4], 0x20000 | P | RW | US
        invlpg [0x50000]
        HEX "read", [0x50000]
        mov dword [PT0 + 0x50 * 4], 0x50000 | P | RW | US
        mov eax, cr3
        mov cr3, eax
        HEX "after.cr3", [0x50000]
        NL
        FINISH

; #PF: map the page CR2 is in (present, writable, user), count, and restart the instruction.
demand_page_fault:
        push eax
        inc dword [SCRATCH + 0x10]
        mov eax, cr2
        shr eax, 12
        or dword [PT0 + eax * 4], P | RW | US
        mov eax, cr2
        invlpg [eax]
        pop eax
        add esp, 4                      ; the error code
        iretd

%include "tail.inc"
