package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.vstation.manager.mac.MacAddress;

/** A network adapter. */
@JsonPropertyOrder({"present", "model", "mode", "bridgeInterface", "mac", "macGenerated"})
public final class NicConfig extends ConfigSection {

    public boolean present = true;
    public NicModel model = NicModel.RTL8139;
    public NicMode mode = NicMode.NAT;
    /** The host interface a bridged adapter joins (e.g. "eth0"); unused in other modes. */
    public String bridgeInterface;
    public MacAddress mac;
    /** True when VStation generated the address (clone and copy regenerate it), false when set by hand. */
    public boolean macGenerated = true;
}
