package org.vstation.cpu.mmu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;

/** TLB behaviour of global pages across CR3 writes (SDM vol. 3, 4.10.2.4 and 4.10.4.1). */
class MmuTest {
    private static final int DIRECTORY = 0x1000;
    private static final int TABLE = 0x2000;
    private static final int PRESENT_WRITABLE = 0x3;
    private static final int GLOBAL = 0x100;
    private static final int GLOBAL_PAGE = 0x5000;
    private static final int LOCAL_PAGE = 0x6000;

    private final PhysicalMemory memory = new PhysicalMemory(4 << 20);
    private final Mmu mmu = new Mmu(memory);

    @BeforeEach
    void mapTwoPages() {
        memory.write32(DIRECTORY, TABLE | PRESENT_WRITABLE);
        mapPage(GLOBAL_PAGE, 0x100000, GLOBAL);
        mapPage(LOCAL_PAGE, 0x101000, 0);
    }

    private void mapPage(int linear, int frame, int extraBits) {
        memory.write32(TABLE + (linear >>> 12) * 4, frame | PRESENT_WRITABLE | extraBits);
    }

    private long cached(int linear) {
        int page = linear >>> 12;
        int slot = page & Mmu.TLB_MASK;
        return mmu.readTags(false)[slot] == page ? mmu.readBases(false)[slot] : -1;
    }

    /** Fills the TLB with both pages, then remaps both in memory without telling the TLB. */
    private void cacheThenRemap() {
        assertEquals(0x100000, mmu.translate(GLOBAL_PAGE, false, false));
        assertEquals(0x101000, mmu.translate(LOCAL_PAGE, false, false));
        mapPage(GLOBAL_PAGE, 0x102000, GLOBAL);
        mapPage(LOCAL_PAGE, 0x103000, 0);
    }

    @Test
    void cr3WriteKeepsGlobalEntriesWhenPgeIsOn() {
        mmu.configure(true, false, false, true, DIRECTORY);
        cacheThenRemap();
        mmu.switchPageDirectory(DIRECTORY);
        assertEquals(0x100000, cached(GLOBAL_PAGE), "the global page's translation survives MOV CR3");
        assertEquals(-1, cached(LOCAL_PAGE));
        assertEquals(0x103000, mmu.translate(LOCAL_PAGE, false, false));
    }

    @Test
    void cr3WriteDropsEverythingWhenPgeIsOff() {
        mmu.configure(true, false, false, false, DIRECTORY);
        cacheThenRemap();
        mmu.switchPageDirectory(DIRECTORY);
        assertEquals(-1, cached(GLOBAL_PAGE), "G means nothing without CR4.PGE");
        assertEquals(0x102000, mmu.translate(GLOBAL_PAGE, false, false));
    }

    @Test
    void invlpgAndReconfigurationDropGlobalEntries() {
        mmu.configure(true, false, false, true, DIRECTORY);
        cacheThenRemap();
        mmu.invalidatePage(GLOBAL_PAGE);
        assertEquals(0x102000, mmu.translate(GLOBAL_PAGE, false, false));
        mapPage(GLOBAL_PAGE, 0x104000, GLOBAL);
        mmu.configure(true, false, false, true, DIRECTORY);
        assertEquals(-1, cached(GLOBAL_PAGE), "a CR4 or CR0 write flushes global entries too");
        assertEquals(0x104000, mmu.translate(GLOBAL_PAGE, false, false));
    }

    @Test
    void cr3WriteAfterMoreFillsThanTheRecordHoldsStillDropsEveryLocalEntry() {
        for (int page = 0; page < 1024; page++) {
            if (page != GLOBAL_PAGE >>> 12) mapPage(page << 12, 0x200000 + (page << 12), 0);
        }
        mmu.configure(true, false, false, true, DIRECTORY);
        mmu.translate(GLOBAL_PAGE, false, false);
        for (int round = 0; round < 20; round++) {
            for (int page = 8; page < 1024; page++) {
                mmu.translate(page << 12, round % 2 == 0, false);
                mmu.invalidatePage(page << 12);
                mmu.translate(page << 12, false, false);
            }
        }
        mmu.switchPageDirectory(DIRECTORY);
        for (int page = 8; page < 1024; page++) {
            assertEquals(-1, cached(page << 12), "page " + page);
            assertEquals(-1, mmu.writeTags(false)[page & Mmu.TLB_MASK] == page ? 0 : -1, "write entry of page " + page);
        }
        assertEquals(0x100000, cached(GLOBAL_PAGE));
    }
}
