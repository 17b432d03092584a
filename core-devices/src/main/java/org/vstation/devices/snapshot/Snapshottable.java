package org.vstation.devices.snapshot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A device whose guest-visible state can be saved and restored (snapshots,
 * later migration). The format is the device's own; it writes a version
 * first so old snapshots can be refused clearly.
 */
public interface Snapshottable {
    void saveState(DataOutput out) throws IOException;

    void restoreState(DataInput in) throws IOException;
}
