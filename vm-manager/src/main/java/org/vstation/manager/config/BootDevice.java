package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A device the firmware may boot from, in the order the user lists them. */
public enum BootDevice implements ConfigValue {
    CDROM("cdrom"),
    DISK("disk"),
    NETWORK("network");

    private final String id;

    BootDevice(String id) {
        this.id = id;
    }

    @JsonValue
    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static BootDevice of(String id) {
        return ConfigValue.parse(BootDevice.class, id);
    }
}
