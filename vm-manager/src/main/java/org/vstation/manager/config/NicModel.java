package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The emulated network chip; every VM gets the same card whatever the host has. */
public enum NicModel implements ConfigValue {
    RTL8139("rtl8139");

    private final String id;

    NicModel(String id) {
        this.id = id;
    }

    @JsonValue
    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static NicModel of(String id) {
        return ConfigValue.parse(NicModel.class, id);
    }
}
