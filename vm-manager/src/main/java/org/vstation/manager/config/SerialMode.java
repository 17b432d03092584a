package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where the guest's first serial port (COM1) goes. */
public enum SerialMode implements ConfigValue {
    NONE("none"),
    FILE("file");

    private final String id;

    SerialMode(String id) {
        this.id = id;
    }

    @JsonValue
    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static SerialMode of(String id) {
        return ConfigValue.parse(SerialMode.class, id);
    }
}
