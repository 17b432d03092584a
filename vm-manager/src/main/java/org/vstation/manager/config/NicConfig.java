package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import org.vstation.manager.mac.MacAddress;

/** A network adapter. */
@JsonPropertyOrder({"present", "model", "mode", "bridgeInterface", "mac", "macGenerated", "forwards", "hostServices"})
public final class NicConfig extends ConfigSection {

    public boolean present = true;
    public NicModel model = NicModel.RTL8139;
    public NicMode mode = NicMode.NAT;
    /** The host interface a bridged adapter joins (e.g. "eth0"); unused in other modes. */
    public String bridgeInterface;
    public MacAddress mac;
    /** True when VStation generated the address (clone and copy regenerate it), false when set by hand. */
    public boolean macGenerated = true;
    /** Host ports carried to the guest while the adapter is in NAT mode. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public List<PortForwardConfig> forwards = new ArrayList<>();
    /** Host loopback ports the guest reaches at 192.168.56.1 while the adapter is in host-only mode. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public List<Integer> hostServices = new ArrayList<>();
}
