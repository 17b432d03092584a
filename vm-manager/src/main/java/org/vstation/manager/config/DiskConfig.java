package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A hard disk on the IDE controller. */
@JsonPropertyOrder({"path", "sizeBytes", "format"})
public final class DiskConfig extends ConfigSection {

    /** The image file, relative to the VM folder when it lies inside it, absolute otherwise. */
    public String path;
    public long sizeBytes;
    public DiskFormat format = DiskFormat.RAW;

    public DiskConfig() {
    }

    public DiskConfig(String path, long sizeBytes, DiskFormat format) {
        this.path = path;
        this.sizeBytes = sizeBytes;
        this.format = format;
    }
}
