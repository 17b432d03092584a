package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The first serial port (COM1). */
@JsonPropertyOrder({"mode", "path"})
public final class SerialConfig extends ConfigSection {

    public SerialMode mode = SerialMode.NONE;
    /** The file the port writes to (relative to the VM folder when inside it) in mode "file". */
    public String path;
}
