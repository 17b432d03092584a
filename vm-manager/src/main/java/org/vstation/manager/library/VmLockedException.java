package org.vstation.manager.library;

/** The VM is in use by another process (or another window of this one). */
public final class VmLockedException extends LibraryException {

    private final VmLock.Holder holder;

    public VmLockedException(String vmName, VmLock.Holder holder) {
        super(vmName + " is in use: " + holder.describe());
        this.holder = holder;
    }

    public VmLock.Holder holder() {
        return holder;
    }
}
