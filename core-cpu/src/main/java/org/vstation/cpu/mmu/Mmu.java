package org.vstation.cpu.mmu;

import java.util.Arrays;
import org.vstation.cpu.bus.PhysicalMemory;

/**
 * Linear-to-physical translation: the two-level page walk of the i686
 * (4 KiB and, with CR4.PSE, 4 MiB pages; U/S, R/W and CR0.WP checks;
 * accessed and dirty bits; Intel SDM vol. 3, chapter 4.3) plus the A20
 * mask, cached in a direct-mapped software TLB.
 *
 * <p>The TLB keeps separate read and write entries for supervisor and user
 * accesses. An entry exists only where the physical page is plain RAM for
 * that kind of access, so a hit goes straight to {@link PhysicalMemory#ram()};
 * everything else (MMIO, ROM, pages holding decoded code) takes the slow path.
 */
public final class Mmu {
    public static final int TLB_SIZE = 4096;
    public static final int TLB_MASK = TLB_SIZE - 1;

    /** Page-fault error code bits (SDM vol. 3, 4.7). */
    public static final int PF_PRESENT = 1;
    public static final int PF_WRITE = 2;
    public static final int PF_USER = 4;

    private static final int PTE_PRESENT = 1;
    private static final int PTE_WRITABLE = 2;
    private static final int PTE_USER = 4;
    private static final int PTE_ACCESSED = 0x20;
    private static final int PTE_DIRTY = 0x40;
    private static final int PDE_PAGE_SIZE = 0x80;

    private final PhysicalMemory memory;

    /** Tags (linear page number, -1 = empty) and physical page bases, indexed [user][slot]. */
    private final int[][] readTag = new int[2][TLB_SIZE];
    private final int[][] readBase = new int[2][TLB_SIZE];
    private final int[][] writeTag = new int[2][TLB_SIZE];
    private final int[][] writeBase = new int[2][TLB_SIZE];

    private boolean pagingEnabled;
    private boolean writeProtect;
    private boolean pageSizeExtensions;
    private int pageDirectoryBase;
    private int a20Mask = -1;

    /** Error code of the last failed translation, for #PF. */
    private int faultErrorCode;

    public Mmu(PhysicalMemory memory) {
        this.memory = memory;
        flush();
    }

    public int[] readTags(boolean user) {
        return readTag[user ? 1 : 0];
    }

    public int[] readBases(boolean user) {
        return readBase[user ? 1 : 0];
    }

    public int[] writeTags(boolean user) {
        return writeTag[user ? 1 : 0];
    }

    public int[] writeBases(boolean user) {
        return writeBase[user ? 1 : 0];
    }

    /** Sets CR0.PG, CR0.WP, CR4.PSE and CR3's directory base; flushes the TLB. */
    public void configure(boolean paging, boolean wp, boolean pse, int cr3) {
        pagingEnabled = paging;
        writeProtect = wp;
        pageSizeExtensions = pse;
        pageDirectoryBase = cr3 & 0xFFFF_F000;
        flush();
    }

    public void setA20Enabled(boolean enabled) {
        int mask = enabled ? -1 : ~(1 << 20);
        if (mask != a20Mask) {
            a20Mask = mask;
            flush();
        }
    }

    public void flush() {
        for (int u = 0; u < 2; u++) {
            Arrays.fill(readTag[u], -1);
            Arrays.fill(writeTag[u], -1);
        }
    }

    /** INVLPG: drops the entries of one linear page. */
    public void invalidatePage(int linear) {
        int page = linear >>> 12;
        int slot = page & TLB_MASK;
        for (int u = 0; u < 2; u++) {
            if (readTag[u][slot] == page) readTag[u][slot] = -1;
            if (writeTag[u][slot] == page) writeTag[u][slot] = -1;
        }
    }

    public int faultErrorCode() {
        return faultErrorCode;
    }

    /**
     * Translates a linear address, setting accessed/dirty bits and filling the
     * TLB. Returns the physical address (0 to 2^32-1), or -1 for a page fault
     * whose error code is then {@link #faultErrorCode()}.
     */
    public long translate(int linear, boolean write, boolean user) {
        int physical;
        if (!pagingEnabled) {
            physical = linear & a20Mask;
        } else {
            long walked = walk(linear, write, user);
            if (walked < 0) {
                return -1;
            }
            physical = (int) walked & a20Mask;
        }
        int page = linear >>> 12;
        int slot = page & TLB_MASK;
        int physicalPage = physical >>> 12;
        int u = user ? 1 : 0;
        if (memory.readsRam(physicalPage)) {
            readTag[u][slot] = page;
            readBase[u][slot] = physical & 0xFFFF_F000;
        }
        if (write && memory.writesRamDirectly(physicalPage)) {
            writeTag[u][slot] = page;
            writeBase[u][slot] = physical & 0xFFFF_F000;
        }
        return physical & 0xFFFF_FFFFL;
    }

    private long walk(int linear, boolean write, boolean user) {
        long pdeAddress = (pageDirectoryBase | (linear >>> 22) << 2) & 0xFFFF_FFFFL & a20Mask;
        int pde = memory.read32(pdeAddress);
        if ((pde & PTE_PRESENT) == 0) {
            return fault(0, write, user);
        }
        if (pageSizeExtensions && (pde & PDE_PAGE_SIZE) != 0) {
            if (!allowed(pde, pde, write, user)) {
                return fault(PF_PRESENT, write, user);
            }
            int updated = pde | PTE_ACCESSED | (write ? PTE_DIRTY : 0);
            if (updated != pde) {
                memory.write32(pdeAddress, updated);
            }
            return ((pde & 0xFFC0_0000) | (linear & 0x003F_FFFF)) & 0xFFFF_FFFFL;
        }
        long pteAddress = ((pde & 0xFFFF_F000) | ((linear >>> 12) & 0x3FF) << 2) & 0xFFFF_FFFFL & a20Mask;
        int pte = memory.read32(pteAddress);
        if ((pte & PTE_PRESENT) == 0) {
            return fault(0, write, user);
        }
        if (!allowed(pde, pte, write, user)) {
            return fault(PF_PRESENT, write, user);
        }
        if ((pde & PTE_ACCESSED) == 0) {
            memory.write32(pdeAddress, pde | PTE_ACCESSED);
        }
        int updated = pte | PTE_ACCESSED | (write ? PTE_DIRTY : 0);
        if (updated != pte) {
            memory.write32(pteAddress, updated);
        }
        return ((pte & 0xFFFF_F000) | (linear & 0xFFF)) & 0xFFFF_FFFFL;
    }

    /** SDM vol. 3, 4.6: the combined U/S and R/W rights of both levels, with CR0.WP for supervisor writes. */
    private boolean allowed(int pde, int pte, boolean write, boolean user) {
        if (user && ((pde & pte & PTE_USER) == 0)) {
            return false;
        }
        if (write && (user || writeProtect) && ((pde & pte & PTE_WRITABLE) == 0)) {
            return false;
        }
        return true;
    }

    private long fault(int present, boolean write, boolean user) {
        faultErrorCode = present | (write ? PF_WRITE : 0) | (user ? PF_USER : 0);
        return -1;
    }
}
