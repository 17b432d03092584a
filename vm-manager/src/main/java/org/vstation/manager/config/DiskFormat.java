package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a disk image stores its sectors; raw is a flat file of 512-byte sectors, sparse on the host. */
public enum DiskFormat implements ConfigValue {
    RAW("raw");

    private final String id;

    DiskFormat(String id) {
        this.id = id;
    }

    @JsonValue
    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static DiskFormat of(String id) {
        return ConfigValue.parse(DiskFormat.class, id);
    }
}
