package org.vstation.cpu;

/**
 * A segment register: the visible selector and the hidden descriptor cache
 * (base, limit, attributes) that every memory access actually uses. Real
 * mode changes only selector and base, so a cached limit survives a return
 * from protected mode ("unreal" mode), as on hardware (Intel SDM vol. 3, 3.4.3).
 */
public final class SegmentRegister {
    /** Attribute bits: the descriptor's access byte (bits 0-7) and its flags nibble (bits 8-11). */
    public static final int TYPE_ACCESSED = 0x01;
    public static final int TYPE_WRITABLE_OR_READABLE = 0x02;
    public static final int TYPE_EXPAND_DOWN_OR_CONFORMING = 0x04;
    public static final int TYPE_CODE = 0x08;
    public static final int CODE_OR_DATA = 0x10;
    public static final int PRESENT = 0x80;
    public static final int DEFAULT_BIG = 0x400;
    public static final int GRANULARITY = 0x800;

    public int selector;
    public int base;
    public int limit;
    public int attributes;

    /** Derived from the cache for the access checks of every load and store. */
    boolean readable;
    boolean writable;
    boolean big;
    /** Lowest and highest valid offsets (expand-down segments start above the limit). */
    long lowestOffset;
    long highestOffset;
    /**
     * The segment spans all 4 GiB (base anywhere, limit 4 GiB, expand-up), as
     * the flat segments of 32-bit code do: a read (write) then passes the limit
     * check unless it wraps past offset 0xFFFFFFFF.
     */
    boolean readsAnywhere;
    boolean writesAnywhere;

    /** Loads the cache from a descriptor's parts, as a protected-mode load does. */
    void load(int selector, int base, int limit, int attributes, boolean usable) {
        this.selector = selector & 0xFFFF;
        this.base = base;
        this.limit = limit;
        this.attributes = attributes;
        recompute(usable);
    }

    /** Real-mode and V86 load: selector and base only; the segment is readable and writable. */
    void loadReal(int selector) {
        this.selector = selector & 0xFFFF;
        this.base = (selector & 0xFFFF) << 4;
        readable = true;
        writable = true;
        lowestOffset = 0;
        highestOffset = limit & 0xFFFF_FFFFL;
        updateWholeSpaceAccess();
    }

    /** Makes the segment readable and writable whatever its type (test and debugger set-up). */
    void allowReadWrite() {
        readable = true;
        writable = true;
        updateWholeSpaceAccess();
    }

    private void updateWholeSpaceAccess() {
        boolean wholeSpace = lowestOffset == 0 && highestOffset == 0xFFFF_FFFFL;
        readsAnywhere = wholeSpace && readable;
        writesAnywhere = wholeSpace && writable;
    }

    void recompute(boolean usable) {
        boolean code = (attributes & TYPE_CODE) != 0;
        big = (attributes & DEFAULT_BIG) != 0;
        if (!usable) {
            readable = false;
            writable = false;
        } else if (code) {
            readable = (attributes & TYPE_WRITABLE_OR_READABLE) != 0;
            writable = false;
        } else {
            readable = true;
            writable = (attributes & TYPE_WRITABLE_OR_READABLE) != 0;
        }
        if (!code && (attributes & TYPE_EXPAND_DOWN_OR_CONFORMING) != 0) {
            lowestOffset = (limit & 0xFFFF_FFFFL) + 1;
            highestOffset = big ? 0xFFFF_FFFFL : 0xFFFFL;
        } else {
            lowestOffset = 0;
            highestOffset = limit & 0xFFFF_FFFFL;
        }
        updateWholeSpaceAccess();
    }

    void copyFrom(SegmentRegister other) {
        selector = other.selector;
        base = other.base;
        limit = other.limit;
        attributes = other.attributes;
        readable = other.readable;
        writable = other.writable;
        big = other.big;
        lowestOffset = other.lowestOffset;
        highestOffset = other.highestOffset;
        readsAnywhere = other.readsAnywhere;
        writesAnywhere = other.writesAnywhere;
    }

    int dpl() {
        return (attributes >>> 5) & 3;
    }

    boolean isCode() {
        return (attributes & TYPE_CODE) != 0;
    }

    boolean isConforming() {
        return (attributes & (TYPE_CODE | TYPE_EXPAND_DOWN_OR_CONFORMING)) == (TYPE_CODE | TYPE_EXPAND_DOWN_OR_CONFORMING);
    }
}
