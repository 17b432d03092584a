package org.vstation.devices.display;

/** Where the VM thread hands a console the guest's screen (see {@code Machine.refreshScreen}). */
public interface DisplaySink {
    /**
     * The screen as the renderer drew it; its dirty rectangle says what changed since the previous
     * refresh. The sink must copy what it needs before the VM thread renders again.
     */
    void rendered(Framebuffer framebuffer);

    /** A 32-bit linear screen, to be copied straight from video memory (the renderer drew nothing). */
    void scannedOut(LinearScanOut screen);
}
