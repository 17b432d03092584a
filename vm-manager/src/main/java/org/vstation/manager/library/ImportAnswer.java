package org.vstation.manager.library;

/**
 * The user's answer when a VM folder is found away from where it was saved (as VMware asks):
 * a moved VM keeps its UUID and MAC addresses, a copied one gets new ones so both can run.
 */
public enum ImportAnswer {
    MOVED,
    COPIED
}
