package org.vstation.manager.runner;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vstation.devices.Machine;
import org.vstation.devices.MachineState;
import org.vstation.devices.ide.AtapiCdrom;
import org.vstation.devices.net.NetworkBackend;
import org.vstation.devices.storage.ImageException;
import org.vstation.devices.storage.IsoImage;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.library.VmLock;
import org.vstation.manager.library.VmLog;
import org.vstation.manager.net.BridgedNetworkException;
import org.vstation.manager.net.NetworkBackends;

/**
 * One power-on of a library VM, for the desktop app: holds the VM's lock from power on until its
 * machine has stopped and released its images, writes power, media and NIC events to the VM's log,
 * and streams COM1 to the configured file. The machine runs on its own thread; every method here
 * is thread-safe.
 */
public final class RunningVm {
    private static final Logger LOG = LoggerFactory.getLogger(RunningVm.class);

    private final VmEntry entry;
    private final RunOptions options;
    private final Machine machine;
    private final VmLog log;
    private final List<Consumer<MachineState>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<MachineState> stopped = new CompletableFuture<>();

    private RunningVm(VmEntry entry, RunOptions options, Machine machine) {
        this.entry = entry;
        this.options = options;
        this.machine = machine;
        this.log = new VmLog(entry.folder());
    }

    /**
     * Locks the VM, builds its machine from its config (as {@code vstation run NAME} does) and
     * powers it on. Nothing is left locked or open when this throws.
     *
     * @param defaultBios the SeaBIOS image to boot (its VGA BIOS lies beside it)
     */
    public static RunningVm powerOn(VmLibrary library, VmEntry entry, Path defaultBios)
            throws IOException, LibraryException, UsageException {
        VmLock lock = library.lockForRun(entry);
        RunningVm vm;
        OutputStream serial;
        try {
            RunOptions options = RunOptions.parse(LibraryRunOptions.of(entry, List.of()), defaultBios);
            vm = new RunningVm(entry, options, VmLauncher.build(entry.name(), options));
            serial = options.serial() == null ? OutputStream.nullOutputStream()
                    : new BufferedOutputStream(Files.newOutputStream(options.serial()));
            vm.log.power("power on: " + options.memoryMegabytes() + " MB, NIC " + options.nicMode()
                    + (options.iso() == null ? ", CD/DVD empty" : ", CD/DVD " + options.iso()));
        } catch (IOException | UsageException | RuntimeException e) {
            lock.close();
            throw e;
        }
        vm.machine.addSerialListener(b -> {
            try {
                serial.write(b);
                if (b == '\n') {
                    serial.flush();
                }
            } catch (IOException e) {
                LOG.warn("{}: writing serial output failed: {}", entry.name(), e.toString());
            }
        });
        vm.machine.addStateListener(state -> {
            if (state == MachineState.RUNNING || state == MachineState.PAUSED) {
                vm.fire(state);
            }
        });
        vm.machine.start();
        Thread.ofVirtual().name("stop-watch-" + entry.name()).start(() -> vm.awaitStop(lock, serial));
        return vm;
    }

    /** Waits for the VM thread to end (images closed), then releases the lock and reports the final state. */
    private void awaitStop(VmLock lock, OutputStream serial) {
        try {
            machine.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        MachineState end = machine.state();
        if (end == MachineState.ERROR) {
            log.error("the machine stopped: " + machine.errorMessage(), null);
        } else {
            log.power("power off");
        }
        try {
            serial.close();
        } catch (IOException e) {
            LOG.warn("{}: closing serial output failed: {}", entry.name(), e.toString());
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("{}: releasing the lock failed: {}", entry.name(), e.toString());
        }
        stopped.complete(end);
        fire(end);
    }

    private void fire(MachineState state) {
        for (Consumer<MachineState> listener : listeners) {
            try {
                listener.accept(state);
            } catch (RuntimeException e) {
                LOG.warn("{}: state listener failed", entry.name(), e);
            }
        }
    }

    /**
     * Called with RUNNING and PAUSED as the machine changes, and once with POWERED_OFF or ERROR
     * after it has stopped and the VM is unlocked (on the machine's or a helper thread).
     */
    public void addStateListener(Consumer<MachineState> listener) {
        listeners.add(listener);
    }

    public VmEntry entry() {
        return entry;
    }

    public Machine machine() {
        return machine;
    }

    public VmLog log() {
        return log;
    }

    /** RUNNING or PAUSED until stopped, then the final state. */
    public MachineState state() {
        if (stopped.isDone()) {
            return stopped.join();
        }
        MachineState state = machine.state();
        return state == MachineState.PAUSED ? MachineState.PAUSED : MachineState.RUNNING;
    }

    public boolean isStopped() {
        return stopped.isDone();
    }

    /** Completes with POWERED_OFF or ERROR once the machine stopped and the lock is released. */
    public CompletableFuture<MachineState> stopped() {
        return stopped;
    }

    public String errorMessage() {
        return machine.errorMessage();
    }

    /** Hard power off. */
    public void powerOff() {
        log.power("power off requested (hard)");
        machine.powerOff();
    }

    /** The ACPI power button: the guest shuts down cleanly if it supports ACPI. */
    public void shutDown() {
        log.power("ACPI power button");
        machine.pressPowerButton();
    }

    public void reset() {
        log.power("reset");
        machine.reset();
    }

    public void pause() {
        log.power("pause");
        machine.pause();
    }

    public void resume() {
        log.power("resume");
        machine.resume();
    }

    /**
     * Puts an ISO in the running VM's CD/DVD drive: the guest sees a media change. The file is
     * checked here, so a bad one fails before anything changes. A guest that locked the tray
     * refuses the change ({@code MediumLockedException}) unless {@code force} ("disconnect anyway").
     */
    public CompletableFuture<Void> insertIso(Path iso, boolean force) throws UsageException {
        IsoImage image;
        try {
            image = IsoImage.open(iso);
        } catch (ImageException e) {
            throw new UsageException(e.getMessage());
        }
        String how = force ? "forced in " : "inserted ";
        return machine.changeCdrom(image, force).whenComplete((done, failure) ->
                log.media(failure == null ? how + iso : "insert of " + iso + " refused: " + failure.getMessage()));
    }

    /**
     * Presses the drive's eject button; a guest that locked the tray keeps its medium unless
     * {@code force} takes it out anyway.
     */
    public CompletableFuture<AtapiCdrom.EjectResult> ejectCdrom(boolean force) {
        return machine.ejectCdrom(force).whenComplete((result, failure) ->
                log.media((force ? "forced eject: " : "eject: ") + result));
    }

    /** True when the machine has a network adapter whose mode can change while it runs. */
    public boolean hasNetworkAdapter() {
        return machine.networkAdapter() != null;
    }

    /**
     * Moves the running VM's adapter to another network: the guest sees the link go down and up.
     * The port forwards and host services it powered on with apply on the new network.
     */
    public void switchNetwork(NicMode mode, String bridgeInterface) throws UsageException {
        if (!hasNetworkAdapter()) {
            throw new UsageException(entry.name() + " powered on without a network adapter;"
                    + " the new mode applies at the next power on");
        }
        NetworkBackend backend;
        try {
            backend = NetworkBackends.create(mode, VmLauncher.networkOptions(entry.name(), options)
                    .withBridge(bridgeInterface));
        } catch (BridgedNetworkException e) {
            throw new UsageException("bridged: " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new UsageException("nat: " + e.getMessage());
        }
        machine.switchNetwork(backend);
        log.nic("mode switched to " + mode.id() + " while running");
    }
}
