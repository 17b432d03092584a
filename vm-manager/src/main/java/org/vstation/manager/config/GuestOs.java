package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The guest operating system family, so the user (and later the GUI) knows what the VM runs. */
public enum GuestOs implements ConfigValue {
    LINUX("linux"),
    WINDOWS("windows"),
    DOS("dos"),
    BSD("bsd"),
    OTHER("other");

    private final String id;

    GuestOs(String id) {
        this.id = id;
    }

    @JsonValue
    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static GuestOs of(String id) {
        return ConfigValue.parse(GuestOs.class, id);
    }
}
