package org.vstation.ui.console;

import java.util.function.LongSupplier;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;

/**
 * A status-bar light for one device (disk, CD/DVD, network), like the activity LEDs on a PC's
 * front panel: lit for a poll period whenever the device's activity counter grew since the last
 * poll, dark otherwise. The counters are plain volatile reads, so polling them on the FX thread
 * costs the VM thread nothing.
 */
public final class ActivityLight extends Circle {
    private static final Color LIT = Color.web("#2da44e");
    private static final Color DARK = Color.web("#57606a");
    private static final Color ABSENT = Color.TRANSPARENT;

    private LongSupplier counter;
    private long lastCount;
    private long flashes;

    public ActivityLight() {
        super(4.5, ABSENT);
        setStroke(DARK);
        setStrokeWidth(1);
    }

    /** Follows this counter from now on; null means the VM has no such device (no light at all). */
    void watch(LongSupplier newCounter) {
        counter = newCounter;
        lastCount = newCounter == null ? 0 : newCounter.getAsLong();
        setFill(newCounter == null ? ABSENT : DARK);
    }

    /** Reads the counter: lit if it moved since the last poll. */
    void poll() {
        if (counter == null) {
            return;
        }
        long count = counter.getAsLong();
        boolean active = count != lastCount;
        lastCount = count;
        setFill(active ? LIT : DARK);
        if (active) {
            flashes++;
        }
    }

    /** The VM stopped: the light goes dark and stays so until the next {@link #watch}. */
    void stop() {
        setFill(counter == null ? ABSENT : DARK);
        counter = null;
    }

    /** How many polls found the device busy since this light was made. */
    public long flashes() {
        return flashes;
    }

    public boolean isLit() {
        return LIT.equals(getFill());
    }
}
