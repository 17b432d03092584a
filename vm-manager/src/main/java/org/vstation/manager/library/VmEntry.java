package org.vstation.manager.library;

import java.nio.file.Path;
import java.util.List;
import org.vstation.manager.config.ConfigException;
import org.vstation.manager.config.VmConfig;

/**
 * One VM folder of the library as last read: its config, or the error that prevents reading it,
 * plus problems that do not prevent reading but do prevent running (a missing disk image).
 *
 * @param configFile null when the folder holds no config (or several)
 * @param config     null when {@code error} is set
 * @param problems   user-readable, each naming the file concerned
 * @param relocation whether the folder is where the config says it was saved
 */
public record VmEntry(Path folder, Path configFile, VmConfig config, ConfigException error, List<String> problems,
                      Relocation relocation) {

    /** Where the folder stands relative to the location recorded in its config. */
    public enum Relocation {
        /** Found where it was saved (or no location recorded yet). */
        IN_PLACE,
        /** Saved elsewhere, and nothing is left there: the folder was moved; it keeps its identity. */
        MOVED,
        /** Saved elsewhere, and the same VM is still there: moved or copied? The user must say. */
        MOVED_OR_COPIED
    }

    public boolean isReadable() {
        return config != null;
    }

    /** The VM's name, or the folder's name when the config cannot be read. */
    public String name() {
        return config != null ? config.name : folder.getFileName().toString();
    }

    /** Where the config says it was last saved; null when it does not say. */
    public Path savedLocation() {
        return config == null || config.location == null ? null : folder.getFileSystem().getPath(config.location);
    }

    /** The first reason this VM cannot be read, or null. */
    public String errorMessage() {
        return error == null ? null : error.getMessage();
    }
}
