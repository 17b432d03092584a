package org.vstation.devices;

/** The power state of a machine, as the UI and the runner see it. */
public enum MachineState {
    CREATED, RUNNING, PAUSED, POWERED_OFF, ERROR
}
