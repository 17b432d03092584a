package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The VGA adapter. */
@JsonPropertyOrder({"videoMemoryMb"})
public final class DisplayConfig extends ConfigSection {

    public int videoMemoryMb = 16;
}
