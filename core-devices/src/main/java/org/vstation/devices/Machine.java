package org.vstation.devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vstation.cpu.CpuInternalError;
import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.chipset.CoprocessorErrorLatch;
import org.vstation.devices.chipset.I440fxHostBridge;
import org.vstation.devices.chipset.Piix3IsaBridge;
import org.vstation.devices.chipset.Piix4PowerManagement;
import org.vstation.devices.chipset.TriggerModeControl;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.clock.VirtualClock;
import org.vstation.devices.debug.DebugConsole;
import org.vstation.devices.debug.PostCodePort;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.dma.IsaDma;
import org.vstation.devices.firmware.FwCfg;
import org.vstation.devices.ide.AtaDisk;
import org.vstation.devices.ide.AtapiCdrom;
import org.vstation.devices.ide.Piix3Ide;
import org.vstation.devices.input.I8042Controller;
import org.vstation.devices.input.KeyCode;
import org.vstation.devices.input.Ps2Keyboard;
import org.vstation.devices.input.Ps2Mouse;
import org.vstation.devices.irq.DualPic;
import org.vstation.devices.memory.RomDevice;
import org.vstation.devices.net.NetworkBackend;
import org.vstation.devices.net.Rtl8139;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.serial.Uart16550;
import org.vstation.devices.storage.BlockImage;
import org.vstation.devices.storage.WorkerHostIo;
import org.vstation.devices.timer.Mc146818Rtc.BootDevice;
import org.vstation.devices.timer.Mc146818Rtc;
import org.vstation.devices.timer.Pit8254;
import org.vstation.devices.timer.SystemControlPortB;
import org.vstation.devices.vga.StdVga;
import org.vstation.devices.vga.render.VgaRenderer;

/**
 * One virtual PC: a processor wired to memory, the I/O bus, the clock and
 * the devices, run on a thread of its own.
 *
 * <p>Everything guest-visible happens on the VM thread. Other threads (the
 * UI, the command line, host I/O completions) talk to the machine only
 * through the thread-safe methods here, which hand work to the VM thread via
 * {@link #post(Runnable)}.
 */
public final class Machine {
    private static final Logger log = LoggerFactory.getLogger(Machine.class);

    public static final int COM1_PORT = 0x3F8;
    public static final int COM1_IRQ = 4;
    /** The PIIX4's SCI is hard-wired to IRQ 9, as the FADT SeaBIOS builds says. */
    public static final int ACPI_SCI_IRQ = 9;
    public static final int VGA_PCI_SLOT = 2;
    public static final int NIC_PCI_SLOT = 3;
    /** How long the cable stays unplugged while a running VM changes networks (long enough for the driver to notice). */
    private static final long NIC_SWITCH_LINK_DOWN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Size of the BIOS area below 1 MiB that mirrors the top of the flash (0xE0000-0xFFFFF). */
    private static final int LOW_BIOS_WINDOW = 0x20000;
    /** Instructions per slice between checks of the clock and the task queue (well under a millisecond). */
    private static final long SLICE_INSTRUCTIONS = 20_000;
    /** Longest sleep of a halted CPU before the loop looks around again. */
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String name;
    private final PhysicalMemory memory;
    private final IoPortBus ioBus = new IoPortBus();
    private final VirtualClock clock = new VirtualClock();
    private final EventQueue events = new EventQueue(clock);
    private final PciBus pciBus;
    private final Processor processor;
    private final Uart16550 com1;
    private final PostCodePort postCodes = new PostCodePort();
    private final DualPic pic = new DualPic();
    private final Mc146818Rtc cmos;
    private final I8042Controller keyboardController;
    /** The A20 gate is the 8042's output port bit OR port 92h's bit (PIIX3 datasheet, port 92h). */
    private boolean keyboardControllerA20;
    /** Port 92h's A20 bit; the chipset block sets it from the PIIX3's A20 listener and calls {@link #updateA20()}. */
    private boolean port92A20;
    private final List<Runnable> resetHandlers = new CopyOnWriteArrayList<>();
    private final StdVga vga;
    private final VgaRenderer screen;

    private final List<IntConsumer> serialListeners = new CopyOnWriteArrayList<>();
    private final List<IntConsumer> debugConsoleListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<MachineState>> stateListeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private final Piix4PowerManagement powerManagement;
    private final Piix3Ide ide;
    private final List<AtaDisk> disks = new ArrayList<>();
    /** The disks' fsyncs (FLUSH CACHE) run here, so the guest runs on while the host waits for its disk. */
    private final WorkerHostIo storageIo;
    private final AtapiCdrom cdrom;
    private final Rtl8139 nic;
    private EventQueue.Timer nicLinkRestore;
    private final FwCfg fwCfg;

    private volatile MachineState state = MachineState.CREATED;
    private volatile String errorMessage;
    private volatile Thread vmThread;
    private boolean powerOffRequested;
    private boolean resetRequested;
    private boolean paused;

    public Machine(String name, MachineConfig config, ProcessorFactory processorFactory) {
        this.name = name;
        this.memory = new PhysicalMemory(config.memoryMegabytes() << 20);
        this.pciBus = new PciBus(ioBus, memory);
        this.processor = processorFactory.create(memory, ioBus, this::acknowledgeInterrupt, clock);
        clock.countInstructionsOf(processor::instructionCount);

        // ---- platform: 8259 pair, 8254 and port 61h, RTC/CMOS, 8237 pair, 8042 ----------------
        pic.connectCpu(processor::setInterruptRequest);
        ioBus.place(pic.master(), DualPic.MASTER_PORT, DualPic.PORT_COUNT);
        ioBus.place(pic.slave(), DualPic.SLAVE_PORT, DualPic.PORT_COUNT);
        Pit8254 pit = new Pit8254(events, pic.line(0));
        pit.compensateLostTicks(() -> pic.isRequestLatched(0));
        pic.setAcknowledgeListener(0, pit::irq0Acknowledged);
        ioBus.place(pit, Pit8254.BASE_PORT, Pit8254.PORT_COUNT);
        SystemControlPortB portB = new SystemControlPortB(pit);
        ioBus.place(portB, SystemControlPortB.PORT, 1);
        cmos = new Mc146818Rtc(events, pic.line(8), LocalDateTime.now(ZoneOffset.UTC));
        cmos.compensateLostTicks();
        cmos.setMemorySize((long) config.memoryMegabytes() << 20, 0);
        cmos.setEquipment(0, true);
        cmos.setCpuCount(1);
        cmos.setBootOrder(config.bootOrder().toArray(BootDevice[]::new));
        ioBus.place(cmos, Mc146818Rtc.BASE_PORT, Mc146818Rtc.PORT_COUNT);
        IsaDma dma = new IsaDma(memory);
        ioBus.place(dma.controller1(), IsaDma.DMA1_BASE, IsaDma.DMA1_PORTS);
        ioBus.place(dma.controller2(), IsaDma.DMA2_BASE, IsaDma.DMA2_PORTS);
        ioBus.place(dma.pageRegisters(), IsaDma.PAGE_BASE, IsaDma.PAGE_PORTS);
        keyboardController = new I8042Controller(new Ps2Keyboard(), new Ps2Mouse(), pic.line(1), pic.line(12),
                enabled -> {
                    keyboardControllerA20 = enabled;
                    updateA20();
                },
                () -> {
                    resetRequested = true;
                    processor.requestStop();
                });
        ioBus.place(keyboardController.dataPort(), I8042Controller.DATA_PORT, 1);
        ioBus.place(keyboardController.commandPort(), I8042Controller.COMMAND_PORT, 1);
        keyboardControllerA20 = keyboardController.a20Enabled();
        updateA20();
        onReset(pic::reset);
        onReset(pit::reset);
        onReset(portB::reset);
        onReset(dma::reset);
        onReset(this::updateA20);
        // ---- end platform ---------------------------------------------------------------------

        mapBios(config.biosImage());

        // ---- chipset: i440FX host bridge, PIIX3 ISA bridge, PIIX4 PM, fw_cfg -------------------
        I440fxHostBridge hostBridge = new I440fxHostBridge(memory);
        pciBus.attach(0, 0, hostBridge);
        TriggerModeControl elcr = pic::setElcr;
        Piix3IsaBridge piix3 = new Piix3IsaBridge(pic, elcr);
        piix3.connect(pciBus, ioBus);
        piix3.setA20GateListener(enabled -> {
            port92A20 = enabled;
            updateA20();
        });
        piix3.setCpuInitListener(() -> {
            post(processor::reset);
            processor.requestStop();
        });
        piix3.setSystemResetListener(() -> {
            resetRequested = true;
            processor.requestStop();
        });
        powerManagement = new Piix4PowerManagement(ioBus, events,
                high -> pic.line(ACPI_SCI_IRQ).setLevel(high));
        powerManagement.connect(pciBus);
        powerManagement.setPowerOffListener(this::requestPowerOffFromVmThread);
        powerManagement.setLegacyDevicesPresent(true, false, false);
        fwCfg = new FwCfg(memory, 1);
        if (config.uuid() != null) {
            fwCfg.setUuid(config.uuid());
        }
        fwCfg.place(ioBus);
        CoprocessorErrorLatch coprocessorError = new CoprocessorErrorLatch(pic.line(CoprocessorErrorLatch.IRQ));
        ioBus.place(coprocessorError, CoprocessorErrorLatch.PORT, 1);
        processor.setFerrListener(coprocessorError::setFerr);
        onReset(coprocessorError::reset);
        onReset(hostBridge::reset);
        onReset(piix3::reset);
        onReset(powerManagement::reset);
        // ---- end chipset ------------------------------------------------------------------------

        com1 = new Uart16550("COM1 (16550A)", pic.line(COM1_IRQ), events,
                b -> serialListeners.forEach(l -> l.accept(b)));
        ioBus.place(com1, COM1_PORT, 8);
        DebugConsole debugConsole = new DebugConsole(b -> debugConsoleListeners.forEach(l -> l.accept(b)));
        ioBus.place(debugConsole, DebugConsole.SEABIOS_PORT, 1);
        ioBus.place(debugConsole, DebugConsole.BOCHS_PORT, 1);
        ioBus.place(postCodes, PostCodePort.PORT, 1);

        // ---- display: QEMU's standard VGA at 00:02.0, as SeaBIOS finds it on QEMU's i440FX ----
        vga = new StdVga(config.videoMemoryMegabytes() << 20, config.vgaBiosImage(), clock);
        ioBus.place(vga.legacyPorts(), StdVga.LEGACY_PORT_BASE, StdVga.LEGACY_PORT_COUNT);
        ioBus.place(vga.dispiPorts(), StdVga.DISPI_PORT_BASE, StdVga.DISPI_PORT_COUNT);
        memory.mapDevice(StdVga.LEGACY_WINDOW_BASE, StdVga.LEGACY_WINDOW_SIZE, vga.legacyWindow());
        pciBus.attach(VGA_PCI_SLOT, 0, vga);
        screen = new VgaRenderer(vga);
        onReset(vga::reset);
        // ---- end of display ----

        // ---- storage: PIIX3 IDE at 00:01.1; CD/DVD on the secondary master, hard disks on the other three places ----
        ide = new Piix3Ide(ioBus, memory, events, pic::line);
        storageIo = new WorkerHostIo(name + " storage I/O", this::post);
        pciBus.attach(Piix3IsaBridge.PCI_DEVICE_NUMBER, Piix3Ide.PCI_FUNCTION, ide);
        String serial = "VS" + (config.uuid() != null ? config.uuid() : UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)))
                .toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        for (MachineConfig.DiskPosition position : MachineConfig.DiskPosition.values()) {
            BlockImage image = config.diskImage(position);
            if (image != null) {
                AtaDisk disk = new AtaDisk("IDE disk " + position.ordinal(), image,
                        serial + "D" + position.ordinal(), "VStation HARDDISK");
                disk.useHostIo(storageIo);
                (position.channel() == 0 ? ide.primary() : ide.secondary()).attach(position.drive(), disk);
                disks.add(disk);
            }
        }
        cdrom = new AtapiCdrom("IDE CD/DVD", serial + "C0", "VStation DVD-ROM");
        ide.secondary().attach(0, cdrom);
        if (config.cdromImage() != null) {
            try {
                cdrom.insertMedium(config.cdromImage());
            } catch (AtapiCdrom.MediumLockedException e) {
                throw new IllegalStateException("a new drive cannot be locked", e);
            }
        }
        onReset(ide::reset);
        // ---- end storage ----

        // ---- network: RTL8139 at 00:03.0, where QEMU puts its first NIC; the backend comes from the manager ----
        byte[] nicMac = config.nicMac();
        if (nicMac != null) {
            nic = new Rtl8139(nicMac, memory, events, this::post);
            pciBus.attach(NIC_PCI_SLOT, 0, nic);
            onReset(nic::powerOn);
            nicLinkRestore = events.newTimer("NIC link restore", () -> nic.setLinkUp(true));
            addStateListener(newState -> {
                if (newState == MachineState.POWERED_OFF || newState == MachineState.ERROR) {
                    nic.backend().close();
                }
            });
        } else {
            nic = null;
        }
        // ---- end of network ----

        processor.reset();
    }

    // ---- storage: host-side media operations (thread-safe) ------------------------------------

    /**
     * The user pressed eject on the CD/DVD drive. Completes with what
     * happened; a guest that locked the tray keeps its medium (LOCKED_BY_GUEST).
     */
    public CompletableFuture<AtapiCdrom.EjectResult> ejectCdrom() {
        return ejectCdrom(false);
    }

    /**
     * Ejects the CD/DVD medium; with {@code force} even one the guest has
     * locked in (the guest then finds the drive empty under its feet).
     */
    public CompletableFuture<AtapiCdrom.EjectResult> ejectCdrom(boolean force) {
        CompletableFuture<AtapiCdrom.EjectResult> result = new CompletableFuture<>();
        post(() -> {
            BlockImage before = cdrom.medium();
            boolean locked = cdrom.isRemovalPrevented();
            AtapiCdrom.EjectResult outcome = force ? cdrom.forceEject() : cdrom.ejectMedium();
            if (outcome == AtapiCdrom.EjectResult.EJECTED) {
                if (locked) {
                    log.warn("{}: {} forcibly ejected while the guest had it locked", name, before.description());
                }
                closeQuietly(before);
            }
            result.complete(outcome);
        });
        return result;
    }

    /**
     * Puts an ISO (opened and checked by the caller, so a bad file fails before
     * anything changes) in the CD/DVD drive. Fails with
     * {@link AtapiCdrom.MediumLockedException} if the guest has locked the
     * medium in; the image passed is then closed and the VM runs on unchanged.
     */
    public CompletableFuture<Void> changeCdrom(BlockImage image) {
        return changeCdrom(image, false);
    }

    /**
     * Changes the CD/DVD medium; with {@code force} also when the guest has
     * locked it in (VMware's "disconnect anyway", QEMU's {@code change} after
     * {@code eject -f}): the guest sees the medium change as a drive reports
     * it and files it had open on the old medium fail to read.
     */
    public CompletableFuture<Void> changeCdrom(BlockImage image, boolean force) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        post(() -> {
            BlockImage before = cdrom.medium();
            if (force) {
                if (before != null && cdrom.isRemovalPrevented()) {
                    log.warn("{}: {} forcibly replaced by {} while the guest had it locked", name,
                            before.description(), image.description());
                }
                closeQuietly(cdrom.forceMedium(image));
                result.complete(null);
                return;
            }
            try {
                closeQuietly(cdrom.insertMedium(image));
                result.complete(null);
            } catch (AtapiCdrom.MediumLockedException e) {
                closeQuietly(image);
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Powered off: writes reach the disk (fsync) and the images are released. */
    private void closeStorage() {
        try {
            storageIo.close(); // a flush under way finishes before its image closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AtaDisk disk : disks) {
            closeQuietly(disk.image());
        }
        closeQuietly(cdrom.medium());
    }

    private void closeQuietly(BlockImage image) {
        if (image == null) {
            return;
        }
        try {
            image.close();
        } catch (IOException e) {
            log.error("{}: closing {} failed: {}", name, image.description(), e.toString());
        }
    }

    public Piix3Ide ide() {
        return ide;
    }

    /**
     * The flash sits at the top of the 4 GiB space, where the reset vector
     * 0xFFFFFFF0 points; its last 128 KiB also appear at 0xE0000-0xFFFFF for
     * real-mode code, as on every PC.
     */
    private void mapBios(byte[] image) {
        if (image == null) {
            throw new IllegalArgumentException("no BIOS image given");
        }
        memory.mapDevice((1L << 32) - image.length, image.length, new RomDevice("BIOS flash", image, 0));
        int lowSize = Math.min(image.length, LOW_BIOS_WINDOW);
        memory.mapDevice(0x100000 - lowSize, lowSize,
                new RomDevice("BIOS (below 1 MiB)", image, image.length - lowSize));
    }

    private int acknowledgeInterrupt() {
        return pic.acknowledgeInterrupt();
    }

    private void updateA20() {
        processor.setA20Enabled(keyboardControllerA20 || port92A20);
    }

    // ---- wiring access for device blocks and tests ------------------------------------

    public String name() {
        return name;
    }

    public PhysicalMemory memory() {
        return memory;
    }

    public IoPortBus ioBus() {
        return ioBus;
    }

    public EventQueue events() {
        return events;
    }

    public PciBus pciBus() {
        return pciBus;
    }

    public Processor processor() {
        return processor;
    }

    public StdVga vga() {
        return vga;
    }

    /**
     * The guest's screen as it is now: rendered on the VM thread at its next
     * slice boundary and handed back as a copy (for --screenshot and tests).
     * Completes only while the machine runs.
     */
    public CompletableFuture<Framebuffer> captureScreen() {
        CompletableFuture<Framebuffer> picture = new CompletableFuture<>();
        post(() -> {
            screen.render();
            picture.complete(screen.framebuffer().copy());
        });
        return picture;
    }

    /**
     * The last picture of a machine whose VM thread has ended (or never
     * started), rendered on the caller's thread: nothing else touches the
     * devices any more. For a running machine use {@link #captureScreen()}.
     */
    public Framebuffer finalScreen() {
        if (vmThread != null && terminated.getCount() != 0) {
            throw new IllegalStateException(name + " is still running; use captureScreen()");
        }
        screen.render();
        return screen.framebuffer().copy();
    }

    /**
     * For the console, which repaints often: brings the picture up to date
     * on the VM thread and hands the live framebuffer to {@code sink} there;
     * its dirty rectangle says what changed since the previous refresh (it is
     * cleared afterwards). The sink must copy what it needs before returning.
     */
    public void refreshScreen(Consumer<Framebuffer> sink) {
        post(() -> {
            screen.render();
            sink.accept(screen.framebuffer());
            screen.framebuffer().clearDirty();
        });
    }

    /** The firmware configuration (boot order, boot menu, extra files such as option ROMs). */
    public FwCfg fwCfg() {
        return fwCfg;
    }

    public int lastPostCode() {
        return postCodes.lastCode();
    }

    /** Devices that must return to their power-on state on a machine reset register here. */
    public void onReset(Runnable handler) {
        resetHandlers.add(handler);
    }

    // ---- host-side observation (listeners run on the VM thread) ------------------------

    public void addSerialListener(IntConsumer listener) {
        serialListeners.add(listener);
    }

    public void addDebugConsoleListener(IntConsumer listener) {
        debugConsoleListeners.add(listener);
    }

    public void addStateListener(Consumer<MachineState> listener) {
        stateListeners.add(listener);
    }

    public MachineState state() {
        return state;
    }

    /** Why the machine stopped with {@link MachineState#ERROR}, or null. */
    public String errorMessage() {
        return errorMessage;
    }

    // ---- thread-safe control ------------------------------------------------------------

    /** Runs {@code task} on the VM thread at the next slice boundary. */
    public void post(Runnable task) {
        tasks.add(task);
        Thread thread = vmThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** The RTC's CMOS RAM, for boot order and other fields set before power on. */
    public Mc146818Rtc cmos() {
        return cmos;
    }

    /** A key pressed or released on the host. */
    public void keyEvent(KeyCode key, boolean pressed) {
        post(() -> {
            if (pressed) {
                keyboardController.keyboard().keyDown(key);
            } else {
                keyboardController.keyboard().keyUp(key);
            }
        });
    }

    /** Host mouse motion in screen directions and the buttons held (see {@link Ps2Mouse#mouseMoved}). */
    public void mouseEvent(int dx, int dy, int dz, int buttons) {
        post(() -> keyboardController.mouse().mouseMoved(dx, dy, dz, buttons));
    }

    /** Bytes typed on the host side of COM1. */
    public void sendToSerial(byte[] bytes) {
        byte[] copy = bytes.clone();
        post(() -> com1.receive(copy));
    }

    /** The network adapter, or null when the configuration has none. */
    public Rtl8139 networkAdapter() {
        return nic;
    }

    /**
     * Connects the network adapter to a host backend (before or during the
     * run). Replacing a connected backend is a cable swap: the link goes
     * down (the guest gets a link-change interrupt), the old backend is
     * detached so no frame crosses between the networks, and the link comes
     * back up on the new network half a second later. The old backend is
     * closed. {@link NetworkBackend#DISCONNECTED} unplugs the cable.
     */
    public void switchNetwork(NetworkBackend backend) {
        if (nic == null) {
            backend.close();
            throw new IllegalStateException(name + " has no network adapter");
        }
        post(() -> {
            NetworkBackend previous = nic.connectBackend(backend);
            if (previous != backend) {
                Thread.ofVirtual().name("close-" + name + "-network").start(previous::close);
            }
            nicLinkRestore.cancel();
            if (backend == NetworkBackend.DISCONNECTED) {
                nic.setLinkUp(false); // "none": the cable stays unplugged
            } else if (previous == NetworkBackend.DISCONNECTED || !nic.isLinkUp()) {
                nic.setLinkUp(true);
            } else {
                nic.setLinkUp(false);
                nicLinkRestore.scheduleAfter(NIC_SWITCH_LINK_DOWN_NANOS);
            }
        });
    }

    /** Plugs or unplugs the virtual cable (the guest sees a link change). */
    public void setNetworkLinkUp(boolean up) {
        if (nic != null) {
            post(() -> {
                nicLinkRestore.cancel();
                nic.setLinkUp(up);
            });
        }
    }

    /** Powers on: starts the VM thread. */
    public synchronized void start() {
        if (vmThread != null) {
            throw new IllegalStateException(name + " is already started");
        }
        Thread thread = Thread.ofPlatform().name("vm-" + name).daemon(true).unstarted(this::runLoop);
        vmThread = thread;
        thread.start();
    }

    /** Hard power off (pulling the plug); the VM thread ends after the current slice. */
    public void powerOff() {
        post(() -> {
            powerOffRequested = true;
            processor.requestStop();
        });
    }

    /** Presses the ACPI power button: an ACPI guest shuts down cleanly (nothing happens without ACPI). */
    public void pressPowerButton() {
        post(powerManagement::pressPowerButton);
    }

    /** Presses the reset button. */
    public void reset() {
        post(() -> {
            resetRequested = true;
            processor.requestStop();
        });
    }

    public void pause() {
        post(() -> {
            paused = true;
            processor.requestStop();
        });
    }

    public void resume() {
        post(() -> paused = false);
    }

    /**
     * Requests power off from the VM thread itself (a device's ACPI S5, the
     * runner's --until match): the current instruction completes first.
     */
    public void requestPowerOffFromVmThread() {
        powerOffRequested = true;
        processor.requestStop();
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    // ---- the VM loop --------------------------------------------------------------------

    private void runLoop() {
        setState(MachineState.RUNNING);
        try {
            while (!powerOffRequested) {
                runPostedTasks();
                if (powerOffRequested) {
                    break;
                }
                if (resetRequested) {
                    resetRequested = false;
                    resetMachine();
                }
                if (paused) {
                    idleWhilePaused();
                    continue;
                }
                clock.synchronize();
                events.runDue();
                // Stop at the next timer's deadline, so device events land on the instruction they are due at.
                long budget = Math.min(SLICE_INSTRUCTIONS, clock.instructionsUntil(events.nextDeadline()));
                Processor.StopReason reason = processor.run(budget);
                switch (reason) {
                    case HALTED -> sleepUntilNextEvent();
                    case SHUTDOWN -> {
                        log.info("{}: triple fault at {}; resetting as a PC does", name, processor.describeState());
                        resetMachine();
                    }
                    case BUDGET_EXHAUSTED, STOP_REQUESTED -> { }
                }
            }
            setState(MachineState.POWERED_OFF);
        } catch (CpuInternalError e) {
            fail("emulator error: " + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            fail("emulator error in " + name + " at " + safeDescribeState() + ": " + e, e);
        } finally {
            closeStorage();
            terminated.countDown();
        }
    }

    private void runPostedTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private void resetMachine() {
        processor.reset();
        resetHandlers.forEach(Runnable::run);
    }

    private void idleWhilePaused() {
        if (!clock.isPaused()) {
            clock.pause();
            setState(MachineState.PAUSED);
        }
        LockSupport.parkNanos(this, MAX_IDLE_NANOS);
        if (!paused || powerOffRequested) {
            clock.resume();
            setState(MachineState.RUNNING);
        }
    }

    /** HLT: nothing to do until a timer fires or the host hands us work (no busy loop). */
    private void sleepUntilNextEvent() {
        long deadline = events.nextDeadline();
        clock.idleUntil(deadline);
        long wait = Math.min(deadline - clock.nanos(), MAX_IDLE_NANOS);
        if (wait > 0 && tasks.isEmpty()) {
            LockSupport.parkNanos(this, wait);
        }
    }

    private String safeDescribeState() {
        try {
            return processor.describeState();
        } catch (RuntimeException e) {
            return "(processor state unavailable: " + e + ")";
        }
    }

    private void fail(String message, Throwable cause) {
        log.error("{}: {}", name, message, cause);
        errorMessage = message;
        setState(MachineState.ERROR);
    }

    private void setState(MachineState newState) {
        state = newState;
        for (Consumer<MachineState> listener : stateListeners) {
            try {
                listener.accept(newState);
            } catch (RuntimeException e) {
                log.warn("{}: state listener failed", name, e);
            }
        }
    }
}
