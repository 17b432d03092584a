package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The CD/DVD drive: an ISO image or empty. */
@JsonPropertyOrder({"iso", "connectAtPowerOn"})
public final class CdromConfig extends ConfigSection {

    /** The ISO image (relative to the VM folder when inside it), or null for an empty drive. */
    public String iso;
    /** Whether the medium is inserted when the VM powers on. */
    public boolean connectAtPowerOn = true;
}
