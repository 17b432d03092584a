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
 * accesses. With CR4.PGE, entries of global pages (G bit) survive a CR3
 * write, as on the processor (SDM vol. 3, 4.10.2.4 and 4.10.4.1): the
 * kernel's mappings then stay cached across process switches. An entry exists only where the physical page is plain RAM for
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
    private static final int PTE_GLOBAL = 0x100;
    /** Kinds of TLB array, for the record of non-global fills: [user][read or write]. */
    private static final int READ_KIND = 0, WRITE_KIND = 1;

    private final PhysicalMemory memory;

    /** Tags (linear page number, -1 = empty) and physical page bases, indexed [user][slot]. */
    private final int[][] readTag = new int[2][TLB_SIZE];
    private final int[][] readBase = new int[2][TLB_SIZE];
    private final int[][] writeTag = new int[2][TLB_SIZE];
    private final int[][] writeBase = new int[2][TLB_SIZE];
    private final boolean[][] readGlobal = new boolean[2][TLB_SIZE];
    private final boolean[][] writeGlobal = new boolean[2][TLB_SIZE];
    /**
     * The TLB slots filled with non-global entries since the last flush
     * (kind << 12 | slot, kind = user * 2 + write), so a CR3 write drops just
     * those; when the record fills up, the CR3 write scans every slot instead.
     */
    private final int[] nonGlobalFills = new int[4 * TLB_SIZE];
    private int nonGlobalFillCount;
    private boolean nonGlobalFillsOverflowed;

    private boolean pagingEnabled;
    private boolean writeProtect;
    private boolean pageSizeExtensions;
    private boolean globalPages;
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

    /** Sets CR0.PG, CR0.WP, CR4.PSE, CR4.PGE and CR3's directory base; flushes the whole TLB, global entries included. */
    public void configure(boolean paging, boolean wp, boolean pse, boolean pge, int cr3) {
        pagingEnabled = paging;
        writeProtect = wp;
        pageSizeExtensions = pse;
        globalPages = pge;
        pageDirectoryBase = cr3 & 0xFFFF_F000;
        flush();
    }

    /** MOV to CR3 (or a task switch): a new page directory; drops every entry except those of global pages. */
    public void switchPageDirectory(int cr3) {
        pageDirectoryBase = cr3 & 0xFFFF_F000;
        if (nonGlobalFillsOverflowed) {
            for (int u = 0; u < 2; u++) {
                for (int slot = 0; slot < TLB_SIZE; slot++) {
                    if (!readGlobal[u][slot]) readTag[u][slot] = -1;
                    if (!writeGlobal[u][slot]) writeTag[u][slot] = -1;
                }
            }
        } else {
            for (int i = 0; i < nonGlobalFillCount; i++) {
                int fill = nonGlobalFills[i];
                int slot = fill & TLB_MASK;
                int u = fill >>> 13;
                if (((fill >>> 12) & 1) == WRITE_KIND) {
                    if (!writeGlobal[u][slot]) writeTag[u][slot] = -1;
                } else if (!readGlobal[u][slot]) {
                    readTag[u][slot] = -1;
                }
            }
        }
        nonGlobalFillCount = 0;
        nonGlobalFillsOverflowed = false;
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
        nonGlobalFillCount = 0;
        nonGlobalFillsOverflowed = false;
    }

    /** Drops the write entries that lead to one physical page (it now holds decoded code, whose writes must be seen). */
    public void dropWritesTo(int physicalPage) {
        int base = physicalPage << 12;
        for (int u = 0; u < 2; u++) {
            int[] tags = writeTag[u];
            int[] bases = writeBase[u];
            for (int slot = 0; slot < TLB_SIZE; slot++) {
                if (bases[slot] == base) tags[slot] = -1;
            }
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
        walkedGlobal = false;
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
            readGlobal[u][slot] = walkedGlobal;
            if (!walkedGlobal) recordNonGlobalFill(u, READ_KIND, slot);
        }
        if (write && memory.writesRamDirectly(physicalPage)) {
            writeTag[u][slot] = page;
            writeBase[u][slot] = physical & 0xFFFF_F000;
            writeGlobal[u][slot] = walkedGlobal;
            if (!walkedGlobal) recordNonGlobalFill(u, WRITE_KIND, slot);
        }
        return physical & 0xFFFF_FFFFL;
    }

    private void recordNonGlobalFill(int user, int kind, int slot) {
        if (nonGlobalFillCount == nonGlobalFills.length) {
            nonGlobalFillsOverflowed = true;
        } else if (!nonGlobalFillsOverflowed) {
            nonGlobalFills[nonGlobalFillCount++] = (user << 13) | (kind << 12) | slot;
        }
    }

    /** The last walk ended at a global page (G set, CR4.PGE on; SDM vol. 3, 4.10.2.4). */
    private boolean walkedGlobal;

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
            walkedGlobal = globalPages && (pde & PTE_GLOBAL) != 0;
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
        walkedGlobal = globalPages && (pte & PTE_GLOBAL) != 0;
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
