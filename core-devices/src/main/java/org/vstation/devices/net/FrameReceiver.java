package org.vstation.devices.net;

/**
 * Where a backend delivers frames for the guest. Thread-safe and bounded:
 * {@link #offer} returns false (the frame is dropped) when the adapter's
 * queue is full, so a flood from the host cannot exhaust memory.
 */
@FunctionalInterface
public interface FrameReceiver {
    boolean offer(byte[] frame);
}
