package org.vstation.manager.net;

/** A guest-side UDP or TCP flow: the guest's address and port, and the address and port it talks to. */
record FlowKey(int guestAddress, int guestPort, int remoteAddress, int remotePort) { }
