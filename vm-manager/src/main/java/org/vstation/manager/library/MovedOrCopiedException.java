package org.vstation.manager.library;

import java.nio.file.Path;

/** The VM's folder was saved elsewhere and the original is still there: the user must say "moved" or "copied". */
public final class MovedOrCopiedException extends LibraryException {

    private final Path folder;
    private final Path previousLocation;

    public MovedOrCopiedException(String vmName, Path folder, Path previousLocation) {
        super(vmName + " (" + folder + ") was moved or copied from " + previousLocation
                + ", where the same VM still is. If you moved it, it keeps its UUID and MAC addresses;"
                + " if you copied it, it gets new ones so both can run. Answer with: vstation import "
                + folder + " --moved | --copied");
        this.folder = folder;
        this.previousLocation = previousLocation;
    }

    public Path folder() {
        return folder;
    }

    public Path previousLocation() {
        return previousLocation;
    }
}
