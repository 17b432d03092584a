package org.vstation.manager.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.vstation.devices.MachineState;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;

/**
 * The VMs an app has powered on, by folder: several run at once, each on its own thread, and one
 * that fails (ERROR) does not disturb the others. The last run of each VM is kept after it stops,
 * so its final state (powered off, or error with its message) stays visible.
 */
public final class VmRuntime {
    private final VmLibrary library;
    private final Path bios;
    private final Map<Path, RunningVm> runs = new ConcurrentHashMap<>();
    private final List<BiConsumer<RunningVm, MachineState>> listeners = new CopyOnWriteArrayList<>();

    /** @param bios the SeaBIOS image machines boot (its VGA BIOS beside it) */
    public VmRuntime(VmLibrary library, Path bios) {
        this.library = library;
        this.bios = bios;
    }

    public VmLibrary library() {
        return library;
    }

    public Path bios() {
        return bios;
    }

    /** Told of every state change of every VM, on whichever thread it happens. */
    public void addStateListener(BiConsumer<RunningVm, MachineState> listener) {
        listeners.add(listener);
    }

    public RunningVm powerOn(VmEntry entry) throws IOException, LibraryException, UsageException {
        RunningVm current = runs.get(entry.folder());
        if (current != null && !current.isStopped()) {
            throw new UsageException(entry.name() + " is already running");
        }
        RunningVm vm = RunningVm.powerOn(library, entry, bios);
        runs.put(entry.folder(), vm);
        vm.addStateListener(state -> listeners.forEach(listener -> listener.accept(vm, state)));
        listeners.forEach(listener -> listener.accept(vm, vm.state()));
        return vm;
    }

    /** The latest run of the VM in this folder, running or stopped, if it was powered on. */
    public Optional<RunningVm> lastRun(Path folder) {
        return Optional.ofNullable(runs.get(folder));
    }

    /** The run of this VM if it is running or paused now. */
    public Optional<RunningVm> active(Path folder) {
        return lastRun(folder).filter(vm -> !vm.isStopped());
    }

    /** RUNNING, PAUSED, ERROR (the last run failed) or POWERED_OFF. */
    public MachineState state(Path folder) {
        return lastRun(folder).map(RunningVm::state).orElse(MachineState.POWERED_OFF);
    }

    public List<RunningVm> active() {
        return runs.values().stream().filter(vm -> !vm.isStopped()).toList();
    }

    /** Forgets a stopped run (after its VM was deleted or renamed). */
    public void forget(Path folder) {
        runs.computeIfPresent(folder, (key, vm) -> vm.isStopped() ? null : vm);
    }

    /** Hard power off of every running VM, waiting up to {@code timeout} for them to stop; false if some did not. */
    public boolean powerOffAll(Duration timeout) throws InterruptedException {
        List<RunningVm> running = active();
        running.forEach(RunningVm::powerOff);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (RunningVm vm : running) {
            try {
                vm.stopped().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException("the stop watch of " + vm.entry().name() + " failed", e);
            }
        }
        return true;
    }
}
