package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the adapter reaches the world: NAT (a one-way firewall), host-only (a private network of the
 * host and its VMs), bridged (on the host's LAN), or none (cable unplugged).
 */
public enum NicMode implements ConfigValue {
    NAT("nat"),
    HOST_ONLY("hostonly"),
    BRIDGED("bridged"),
    NONE("none");

    private final String id;

    NicMode(String id) {
        this.id = id;
    }

    @JsonValue
    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static NicMode of(String id) {
        return ConfigValue.parse(NicMode.class, id);
    }
}
