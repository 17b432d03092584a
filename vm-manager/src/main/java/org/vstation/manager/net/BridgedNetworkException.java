package org.vstation.manager.net;

/**
 * A bridged adapter could not be set up on this host; the message says what
 * to configure (the privilege, the TUN driver, the bridge).
 */
public final class BridgedNetworkException extends Exception {
    public BridgedNetworkException(String message) {
        super(message);
    }
}
