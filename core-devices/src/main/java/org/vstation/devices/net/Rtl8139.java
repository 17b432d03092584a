package org.vstation.devices.net;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.vstation.cpu.bus.MemoryMappedDevice;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.pci.PciDevice;

/**
 * Realtek RTL8139C 10/100 Fast Ethernet controller (PCI 10ec:8139, revision 0x10).
 * Follows the RTL8139C(L) datasheet 1.4 and Realtek's RTL8139 programming guide 1.1.
 *
 * <p>Revision 0x10 matters: Linux leaves revision 0x20 and up (RTL8139C+) to
 * {@code 8139cp}, and {@code 8139too} drives this one. Frames from the host
 * backend arrive on a bounded queue from any thread and are moved into the
 * guest's receive ring on the VM thread (through the {@code vmThread}
 * executor); when the ring is full they wait in that queue (ISR.RXOVW tells
 * the driver), and when the queue is full too they are dropped and counted in
 * MPC, so a flood cannot exhaust memory.
 */
public final class Rtl8139 extends PciDevice implements IoDevice {
    public static final int VENDOR_REALTEK = 0x10EC;
    public static final int DEVICE_RTL8139 = 0x8139;
    /** Below 0x20, so that Linux binds 8139too rather than 8139cp. */
    public static final int REVISION = 0x10;
    public static final int CLASS_ETHERNET = 0x020000;
    public static final int REGISTER_COUNT = 0x100;

    // ---- operational registers (datasheet section 6) ------------------------------------------
    public static final int IDR0 = 0x00;
    public static final int MAR0 = 0x08;
    public static final int TSD0 = 0x10;
    public static final int TSAD0 = 0x20;
    public static final int RBSTART = 0x30;
    public static final int ERBCR = 0x34;
    public static final int ERSR = 0x36;
    public static final int CR = 0x37;
    public static final int CAPR = 0x38;
    public static final int CBR = 0x3A;
    public static final int IMR = 0x3C;
    public static final int ISR = 0x3E;
    public static final int TCR = 0x40;
    public static final int RCR = 0x44;
    public static final int TCTR = 0x48;
    public static final int MPC = 0x4C;
    public static final int CFG9346 = 0x50;
    public static final int CONFIG0 = 0x51;
    public static final int CONFIG1 = 0x52;
    public static final int TIMER_INT = 0x54;
    public static final int MSR = 0x58;
    public static final int CONFIG3 = 0x59;
    public static final int CONFIG4 = 0x5A;
    public static final int MULINT = 0x5C;
    public static final int RERID = 0x5E;
    public static final int TSAD = 0x60;
    public static final int BMCR = 0x62;
    public static final int BMSR = 0x64;
    public static final int ANAR = 0x66;
    public static final int ANLPAR = 0x68;
    public static final int ANER = 0x6A;
    public static final int CSCR = 0x74;
    public static final int CONFIG5 = 0xD8;

    // CR
    public static final int CR_BUFE = 1;
    public static final int CR_TE = 1 << 2;
    public static final int CR_RE = 1 << 3;
    public static final int CR_RST = 1 << 4;

    // ISR / IMR
    public static final int INT_ROK = 1;
    public static final int INT_RER = 1 << 1;
    public static final int INT_TOK = 1 << 2;
    public static final int INT_TER = 1 << 3;
    public static final int INT_RXOVW = 1 << 4;
    /** Packet underrun / link change. */
    public static final int INT_PUN_LINKCHG = 1 << 5;
    public static final int INT_FOVW = 1 << 6;
    public static final int INT_LENCHG = 1 << 13;
    public static final int INT_TIMEOUT = 1 << 14;
    public static final int INT_SERR = 1 << 15;
    private static final int INT_WRITABLE = 0xE07F;

    // TSD
    public static final int TSD_SIZE = 0x1FFF;
    public static final int TSD_OWN = 1 << 13;
    public static final int TSD_TUN = 1 << 14;
    public static final int TSD_TOK = 1 << 15;
    public static final int TSD_ERTXTH = 0x3F << 16;
    public static final int TSD_TABT = 1 << 30;
    public static final int TSD_CRS = 1 << 31;
    /** The largest frame a descriptor can carry (datasheet, TSD: "up to 1792 bytes"). */
    public static final int MAX_TRANSMIT_SIZE = 1792;

    // TCR
    public static final int TCR_CLRABT = 1;
    public static final int TCR_LOOPBACK = 3 << 17;
    /** Hardware version bits of the RTL8139C: HWVERID_A = 11101b, HWVERID_B = 00b. */
    public static final int TCR_HWVERID_8139C = 0x7400_0000;
    private static final int TCR_WRITABLE = 0x0307_07F0;

    // RCR
    public static final int RCR_AAP = 1;
    public static final int RCR_APM = 1 << 1;
    public static final int RCR_AM = 1 << 2;
    public static final int RCR_AB = 1 << 3;
    public static final int RCR_AR = 1 << 4;
    public static final int RCR_AER = 1 << 5;
    public static final int RCR_WRAP = 1 << 7;
    private static final int RCR_RBLEN_SHIFT = 11;
    private static final int RCR_WRITABLE = 0x0F03_FFFF;

    // receive packet header status (datasheet 6.1, "Packet Header")
    public static final int RX_ROK = 1;
    public static final int RX_LONG = 1 << 3;
    public static final int RX_RUNT = 1 << 4;
    public static final int RX_BAR = 1 << 13;
    public static final int RX_PAM = 1 << 14;
    public static final int RX_MAR = 1 << 15;

    // Cfg9346
    public static final int EEM_MASK = 0xC0;
    public static final int EEM_NORMAL = 0x00;
    public static final int EEM_AUTOLOAD = 0x40;
    public static final int EEM_PROGRAMMING = 0x80;
    public static final int EEM_CONFIG_WRITE = 0xC0;
    public static final int EECS = 1 << 3;
    public static final int EESK = 1 << 2;
    public static final int EEDI = 1 << 1;
    public static final int EEDO = 1;

    // CONFIG1: IOMAP and MEMMAP say the registers are mapped into I/O and memory space.
    private static final int CONFIG1_IOMAP_MEMMAP = 0x0C;

    // MSR
    public static final int MSR_LINKB = 1 << 2;
    public static final int MSR_SPEED_10 = 1 << 3;

    // MII registers (IEEE 802.3 clause 22 layout)
    public static final int BMCR_RESET = 1 << 15;
    public static final int BMCR_SPEED_100 = 1 << 13;
    public static final int BMCR_ANE = 1 << 12;
    public static final int BMCR_RESTART_AN = 1 << 9;
    public static final int BMCR_FULL_DUPLEX = 1 << 8;
    public static final int BMSR_CAPABILITIES = 0x7809; // 100TX-FD/HD, 10-FD/HD, AN ability, extended
    public static final int BMSR_LINK_STATUS = 1 << 2;
    public static final int BMSR_AN_COMPLETE = 1 << 5;
    private static final int ANAR_DEFAULT = 0x01E1;
    /** CSCR: link OK, and a latch set by every link change and cleared when CSCR is read (what 8139too polls on LinkChg). */
    public static final int CSCR_LINK_OK = 1 << 10;
    public static final int CSCR_LINK_CHANGE = 1 << 11;
    private static final int ANLPAR_LINK_PARTNER = 0x45E1;

    public static final int MIN_FRAME = 60;
    /** Frames longer than this (with FCS) get LONG and are refused (datasheet: "exceeds 4k bytes"). */
    public static final int MAX_RECEIVE_WITH_FCS = 4096;
    private static final int RX_QUEUE_FRAMES = 512;
    /** The PCI clock TCTR counts at (33 MHz). */
    private static final long TCTR_HZ = 33_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final PhysicalMemory memory;
    private final Executor vmThread;
    private final EventQueue.Timer timerIntTimer;
    private final EventQueue events;
    private final Eeprom93c46 eeprom = new Eeprom93c46();
    private final byte[] otherRegisters = new byte[REGISTER_COUNT];

    private final byte[] idr = new byte[6];
    private final byte[] mar = new byte[8];
    private final int[] transmitStatus = new int[4];
    private final int[] transmitAddress = new int[4];
    private final boolean[] transmitPending = new boolean[4];
    private int nextTransmitDescriptor;
    private int receiveBufferStart;
    private int command;
    private int readPointerRegister; // CAPR
    private int writeOffset; // CBR
    private int interruptMask;
    private int interruptStatus;
    private int transmitConfig;
    private int receiveConfig;
    private long tctrZeroNanos;
    private int timerInterval;
    private int missedPackets;
    private int cfg9346;
    private int config0;
    private int config1;
    private int config3;
    private int config4;
    private int config5;
    private int multipleInterrupt;
    private int basicModeControl;
    private boolean linkUp = true;
    private boolean linkChanged;
    private int cscrWritable;
    /**
     * Frames sent onto the cable and taken into the receive ring: what the chip's TX/RX activity
     * LED pins show (datasheet, LED pin description). Written only by the VM thread; the console reads it.
     */
    private volatile long framesTransferred;

    private final ArrayBlockingQueue<Arrival> receiveQueue = new ArrayBlockingQueue<>(RX_QUEUE_FRAMES);
    private final AtomicBoolean drainPosted = new AtomicBoolean();
    /** Frames refused because the queue was full, not yet added to MPC (counted off the VM thread). */
    private final AtomicInteger queueOverflows = new AtomicInteger();
    private NetworkBackend backend = NetworkBackend.DISCONNECTED;
    private Connection connection;

    /** A frame and the backend attachment it came through (frames of a detached backend are discarded). */
    private record Arrival(Connection from, byte[] frame) { }

    /** One attachment of a backend; offers through it stop counting once it is replaced. */
    private final class Connection implements FrameReceiver {
        volatile boolean open = true;

        @Override
        public boolean offer(byte[] frame) {
            if (!open || frame == null) {
                return false;
            }
            if (!receiveQueue.offer(new Arrival(this, frame))) {
                queueOverflows.incrementAndGet();
                return false;
            }
            if (drainPosted.compareAndSet(false, true)) {
                vmThread.execute(Rtl8139.this::drainReceiveQueue);
            }
            return true;
        }
    }

    /**
     * @param mac      the station address, stored in the EEPROM and loaded into IDR0-5
     * @param vmThread runs tasks on the VM thread (the machine's {@code post})
     */
    public Rtl8139(byte[] mac, PhysicalMemory memory, EventQueue events, Executor vmThread) {
        super("RTL8139 Ethernet", VENDOR_REALTEK, DEVICE_RTL8139, REVISION, CLASS_ETHERNET);
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, got " + mac.length);
        }
        this.memory = memory;
        this.events = events;
        this.vmThread = vmThread;
        setSubsystem(VENDOR_REALTEK, DEVICE_RTL8139);
        setInterruptPin(1);
        defineIoBar(0, REGISTER_COUNT, this);
        defineMemoryBar(1, 4096, false, registerWindow());
        this.timerIntTimer = events.newTimer("RTL8139 TimerInt", this::timerIntExpired);
        writeEeprom(mac);
        powerOn();
    }

    /** The EEPROM layout 8139too reads: ID 8129h at word 0, PCI ids, MAC at words 7-9 (little-endian). */
    private void writeEeprom(byte[] mac) {
        eeprom.setWord(0, 0x8129);
        eeprom.setWord(1, VENDOR_REALTEK);
        eeprom.setWord(2, DEVICE_RTL8139);
        eeprom.setWord(3, VENDOR_REALTEK);
        eeprom.setWord(4, DEVICE_RTL8139);
        for (int i = 0; i < 3; i++) {
            eeprom.setWord(7 + i, (mac[2 * i] & 0xFF) | (mac[2 * i + 1] & 0xFF) << 8);
        }
    }

    /** Power-on and PCI reset: the EEPROM autoload, then a software reset. */
    public void powerOn() {
        autoload();
        Arrays.fill(mar, (byte) 0);
        Arrays.fill(otherRegisters, (byte) 0);
        transmitConfig = 0;
        receiveConfig = 0;
        cfg9346 = EEM_NORMAL;
        config0 = 0;
        config1 = CONFIG1_IOMAP_MEMMAP;
        config3 = 0;
        config4 = 0;
        config5 = 0;
        basicModeControl = BMCR_SPEED_100 | BMCR_ANE | BMCR_FULL_DUPLEX;
        cscrWritable = 0;
        linkChanged = false;
        missedPackets = 0;
        timerInterval = 0;
        tctrZeroNanos = events.now();
        timerIntTimer.cancel();
        Arrays.fill(transmitAddress, 0);
        softwareReset();
    }

    private void autoload() {
        for (int i = 0; i < 3; i++) {
            int word = eeprom.word(7 + i);
            idr[2 * i] = (byte) word;
            idr[2 * i + 1] = (byte) (word >>> 8);
        }
    }

    /**
     * CR.RST (datasheet, CR bit 4): transmitter and receiver off, FIFOs and
     * buffer pointers back to their initial values; IDR and MAR keep their values.
     */
    private void softwareReset() {
        command = 0;
        interruptMask = 0;
        interruptStatus = 0;
        readPointerRegister = 0xFFF0;
        writeOffset = 0;
        receiveBufferStart = 0;
        multipleInterrupt = 0;
        Arrays.fill(transmitStatus, TSD_OWN);
        Arrays.fill(transmitPending, false);
        nextTransmitDescriptor = 0;
        updateInterrupt();
    }

    // ---- backend and link ----------------------------------------------------------------------

    /**
     * Attaches a host backend (VM thread). The previous one is detached first:
     * frames it still delivers are discarded, and nothing the guest sends
     * reaches it any more. The caller owns closing the previous backend.
     */
    public NetworkBackend connectBackend(NetworkBackend newBackend) {
        NetworkBackend previous = backend;
        if (connection != null) {
            connection.open = false;
        }
        receiveQueue.clear();
        backend = newBackend;
        connection = new Connection();
        newBackend.attach(connection);
        return previous;
    }

    public NetworkBackend backend() {
        return backend;
    }

    /** Plugs or unplugs the cable (VM thread): MSR, BMSR and ANLPAR follow, and ISR.LinkChg is raised. */
    public void setLinkUp(boolean up) {
        if (up == linkUp) {
            return;
        }
        linkUp = up;
        linkChanged = true;
        if (!up) {
            receiveQueue.clear();
        }
        raise(INT_PUN_LINKCHG);
        if (up) {
            drainReceiveQueue();
        }
    }

    public boolean isLinkUp() {
        return linkUp;
    }

    /** Grows with every frame sent or received; a console blinks a light when it changed. */
    public long activityCount() {
        return framesTransferred;
    }

    // ---- register access -----------------------------------------------------------------------

    @Override
    public int ioRead(int offset, int size) {
        return readRegisters(offset, size);
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        writeRegisters(offset, size, value);
    }

    private MemoryMappedDevice registerWindow() {
        return new MemoryMappedDevice() {
            @Override public String name() { return Rtl8139.this.name() + " registers"; }
            @Override public int read(long offset, int size) {
                return offset < REGISTER_COUNT ? readRegisters((int) offset, Math.min(size, REGISTER_COUNT - (int) offset)) : 0;
            }
            @Override public void write(long offset, int size, int value) {
                if (offset < REGISTER_COUNT) {
                    writeRegisters((int) offset, Math.min(size, REGISTER_COUNT - (int) offset), value);
                }
            }
        };
    }

    /** Width of the register that holds {@code offset}, and where it starts, packed as base << 8 | width. */
    private static int registerAt(int offset) {
        if (offset >= TSD0 && offset < RBSTART + 4 || offset >= TCR && offset < MPC + 4
                || offset >= TIMER_INT && offset < TIMER_INT + 4) {
            return (offset & ~3) << 8 | 4;
        }
        return switch (offset & ~1) {
            case ERBCR, CAPR, CBR, IMR, ISR, MULINT, TSAD, BMCR, BMSR, ANAR, ANLPAR, ANER, CSCR -> (offset & ~1) << 8 | 2;
            default -> offset << 8 | 1;
        };
    }

    private int readRegisters(int offset, int size) {
        int result = 0;
        int at = offset;
        while (at < offset + size) {
            int register = registerAt(at);
            int base = register >>> 8;
            int width = register & 0xFF;
            int value = readRegister(base);
            int end = Math.min(base + width, offset + size);
            for (int b = at; b < end; b++) {
                result |= ((value >>> (8 * (b - base))) & 0xFF) << (8 * (b - offset));
            }
            at = end;
        }
        return result;
    }

    private void writeRegisters(int offset, int size, int value) {
        int at = offset;
        while (at < offset + size) {
            int register = registerAt(at);
            int base = register >>> 8;
            int width = register & 0xFF;
            int end = Math.min(base + width, offset + size);
            int written = 0;
            int mask = 0;
            for (int b = at; b < end; b++) {
                written |= ((value >>> (8 * (b - offset))) & 0xFF) << (8 * (b - base));
                mask |= 0xFF << (8 * (b - base));
            }
            int merged = width == 4 && mask == -1 ? written : (readRegister(base) & ~mask) | written;
            writeRegister(base, merged, written, mask);
            at = end;
        }
    }

    private int readRegister(int offset) {
        if (offset < MAR0) {
            return offset < 6 ? idr[offset] & 0xFF : 0;
        }
        if (offset < TSD0) {
            return mar[offset - MAR0] & 0xFF;
        }
        if (offset < TSAD0) {
            return transmitStatus[(offset - TSD0) >>> 2];
        }
        if (offset < RBSTART) {
            return transmitAddress[(offset - TSAD0) >>> 2];
        }
        return switch (offset) {
            case RBSTART -> receiveBufferStart;
            case CR -> command | (receiveBufferEmpty() ? CR_BUFE : 0);
            case CAPR -> readPointerRegister;
            case CBR -> writeOffset;
            case IMR -> interruptMask;
            case ISR -> interruptStatus;
            case TCR -> transmitConfig | TCR_HWVERID_8139C;
            case RCR -> receiveConfig;
            case TCTR -> timerCount();
            case MPC -> missedPackets;
            case CFG9346 -> cfg9346Read();
            case CONFIG0 -> config0;
            case CONFIG1 -> config1;
            case TIMER_INT -> timerInterval;
            case MSR -> linkUp ? 0 : MSR_LINKB;
            case CONFIG3 -> config3;
            case CONFIG4 -> config4;
            case CONFIG5 -> config5;
            case MULINT -> multipleInterrupt;
            case TSAD -> transmitSummary();
            case BMCR -> basicModeControl;
            case BMSR -> BMSR_CAPABILITIES | (linkUp ? BMSR_LINK_STATUS | BMSR_AN_COMPLETE : 0);
            case ANAR -> ANAR_DEFAULT;
            case ANLPAR -> linkUp ? ANLPAR_LINK_PARTNER : 0;
            case ANER -> linkUp ? 1 : 0;
            case CSCR -> readCscr();
            case ERBCR, ERSR -> 0;
            default -> otherRegisters[offset] & 0xFF;
        };
    }

    private int readCscr() {
        int value = cscrWritable | (linkUp ? CSCR_LINK_OK : 0) | (linkChanged ? CSCR_LINK_CHANGE : 0);
        linkChanged = false;
        return value;
    }

    /**
     * @param value   the register's new contents (bytes not written keep their value)
     * @param written only the bytes the guest wrote (for write-one-to-clear ISR)
     * @param mask    which bytes were written
     */
    private void writeRegister(int offset, int value, int written, int mask) {
        if (offset < MAR0) {
            if (offset < 6) {
                idr[offset] = (byte) value;
            }
            return;
        }
        if (offset < TSD0) {
            mar[offset - MAR0] = (byte) value;
            return;
        }
        if (offset < TSAD0) {
            writeTransmitStatus((offset - TSD0) >>> 2, value);
            return;
        }
        if (offset < RBSTART) {
            transmitAddress[(offset - TSAD0) >>> 2] = value;
            return;
        }
        boolean configWritable = (cfg9346 & EEM_MASK) == EEM_CONFIG_WRITE;
        switch (offset) {
            case RBSTART -> receiveBufferStart = value;
            case CR -> writeCommand(value);
            case CAPR -> {
                readPointerRegister = value & 0xFFFF;
                drainReceiveQueue();
            }
            case IMR -> {
                interruptMask = value & INT_WRITABLE;
                updateInterrupt();
            }
            case ISR -> {
                interruptStatus &= ~(written & mask);
                updateInterrupt();
            }
            case TCR -> writeTransmitConfig(value);
            case RCR -> receiveConfig = value & RCR_WRITABLE;
            case TCTR -> tctrZeroNanos = events.now(); // any write restarts the count at zero
            case MPC -> missedPackets = 0;
            case CFG9346 -> writeCfg9346(value & 0xFF);
            case CONFIG0 -> { if (configWritable) config0 = value & 0xFF; }
            case CONFIG1 -> { if (configWritable) config1 = (value & ~CONFIG1_IOMAP_MEMMAP | CONFIG1_IOMAP_MEMMAP) & 0xFF; }
            case CONFIG3 -> { if (configWritable) config3 = value & 0xFF; }
            case CONFIG4 -> { if (configWritable) config4 = value & 0xFF; }
            case CONFIG5 -> config5 = value & 0xFF;
            case TIMER_INT -> {
                timerInterval = value;
                scheduleTimerInt();
            }
            case MULINT -> multipleInterrupt = value & 0x0FFF;
            case BMCR -> {
                if (configWritable) {
                    // Reset and restart-autonegotiation complete at once; the link partner is always there.
                    basicModeControl = value & ~(BMCR_RESET | BMCR_RESTART_AN) & 0xFFFF;
                    if ((value & BMCR_RESET) != 0) {
                        basicModeControl = BMCR_SPEED_100 | BMCR_ANE | BMCR_FULL_DUPLEX;
                    }
                }
            }
            case CSCR -> cscrWritable = value & ~(CSCR_LINK_OK | CSCR_LINK_CHANGE) & 0xFFFF;
            case CBR, MSR, TSAD, BMSR, ANAR, ANLPAR, ANER, ERBCR, ERSR, RERID -> { } // read-only here
            default -> otherRegisters[offset] = (byte) value;
        }
    }

    private void writeCommand(int value) {
        if ((value & CR_RST) != 0) {
            softwareReset(); // completes at once, so CR.RST reads back 0
            return;
        }
        if ((command & CR_RE) != 0 && (value & CR_RE) == 0) {
            // Receiver off: it restarts at the ring's start (8139too's receive-error recovery relies on this).
            writeOffset = 0;
            readPointerRegister = 0xFFF0;
        }
        command = value & (CR_RE | CR_TE);
        if ((command & CR_TE) != 0) {
            transmitPendingDescriptors();
        }
        if ((command & CR_RE) != 0) {
            drainReceiveQueue();
        }
    }

    private void writeTransmitConfig(int value) {
        transmitConfig = value & TCR_WRITABLE & ~TCR_CLRABT;
        if ((value & TCR_CLRABT) != 0) {
            // Retransmit the aborted packet: it is pending again at the descriptor that aborted.
            for (int i = 0; i < 4; i++) {
                if ((transmitStatus[i] & TSD_TABT) != 0 && !transmitPending[i]) {
                    transmitStatus[i] &= ~(TSD_TABT | TSD_OWN);
                    transmitPending[i] = true;
                }
            }
            transmitPendingDescriptors();
        }
    }

    private void writeCfg9346(int value) {
        int mode = value & EEM_MASK;
        if (mode == EEM_AUTOLOAD) {
            autoload(); // completes at once and returns to normal mode
            cfg9346 = EEM_NORMAL;
            return;
        }
        cfg9346 = value & (EEM_MASK | EECS | EESK | EEDI);
        if (mode == EEM_PROGRAMMING) {
            eeprom.setPins((value & EECS) != 0, (value & EESK) != 0, (value & EEDI) != 0);
        } else {
            eeprom.setPins(false, false, false);
        }
    }

    private int cfg9346Read() {
        if ((cfg9346 & EEM_MASK) == EEM_PROGRAMMING) {
            return cfg9346 | (eeprom.dataOut() ? EEDO : 0);
        }
        return cfg9346 & EEM_MASK;
    }

    // ---- interrupts and timer ------------------------------------------------------------------

    private void raise(int bits) {
        interruptStatus |= bits;
        updateInterrupt();
    }

    private void updateInterrupt() {
        setInterruptLevel((interruptStatus & interruptMask) != 0);
    }

    private int timerCount() {
        return (int) ticksSince(events.now() - tctrZeroNanos);
    }

    /** PCI clocks in {@code nanos}, exact and free of overflow for centuries of run time. */
    private static long ticksSince(long nanos) {
        return nanos / 1000 * (TCTR_HZ / 1_000_000) + nanos % 1000 * (TCTR_HZ / 1_000_000) / 1000;
    }

    /** TimerInt (datasheet 6.13): when TCTR reaches a non-zero TimerInt, ISR.TimeOut is set. */
    private void scheduleTimerInt() {
        if (timerInterval == 0) {
            timerIntTimer.cancel();
            return;
        }
        long count = ticksSince(events.now() - tctrZeroNanos) & 0xFFFF_FFFFL;
        long target = Integer.toUnsignedLong(timerInterval);
        long ticksToGo = target > count ? target - count : target + (1L << 32) - count;
        timerIntTimer.scheduleAfter(Math.ceilDiv(ticksToGo * NANOS_PER_SECOND, TCTR_HZ));
    }

    private void timerIntExpired() {
        raise(INT_TIMEOUT);
        scheduleTimerInt();
    }

    // ---- transmit --------------------------------------------------------------------------------

    /**
     * The guest hands descriptor {@code index} to the chip by writing its size
     * with OWN clear; the chip serves descriptors in round-robin order from
     * the one after the last it sent (programming guide, "Transmit").
     */
    private void writeTransmitStatus(int index, int value) {
        transmitStatus[index] = value & (TSD_SIZE | TSD_OWN | TSD_ERTXTH);
        transmitPending[index] = (value & TSD_OWN) == 0;
        transmitPendingDescriptors();
    }

    private void transmitPendingDescriptors() {
        if ((command & CR_TE) == 0) {
            return;
        }
        while (transmitPending[nextTransmitDescriptor]) {
            int index = nextTransmitDescriptor;
            transmitPending[index] = false;
            transmitDescriptor(index);
            nextTransmitDescriptor = (index + 1) & 3;
        }
    }

    private void transmitDescriptor(int index) {
        int size = transmitStatus[index] & TSD_SIZE;
        if (size == 0 || size > MAX_TRANSMIT_SIZE || !isBusMaster()) {
            transmitStatus[index] |= TSD_OWN | TSD_TABT;
            raise(INT_TER);
            return;
        }
        byte[] frame = new byte[Math.max(size, MIN_FRAME)]; // the MAC pads short frames on the wire
        memory.readBytes(Integer.toUnsignedLong(transmitAddress[index]), frame, 0, size);
        transmitStatus[index] |= TSD_OWN;
        if ((transmitConfig & TCR_LOOPBACK) == TCR_LOOPBACK) {
            receive(frame);
        } else if (linkUp) {
            framesTransferred++;
            backend.transmit(frame, frame.length);
        } else {
            transmitStatus[index] |= TSD_CRS; // no carrier: the frame goes nowhere
        }
        transmitStatus[index] |= TSD_TOK;
        raise(INT_TOK);
    }

    /** TSAD (0x60): TOK, TUN, TABT and OWN of all four descriptors in one word. */
    private int transmitSummary() {
        int summary = 0;
        for (int i = 0; i < 4; i++) {
            int tsd = transmitStatus[i];
            if ((tsd & TSD_TOK) != 0) summary |= 1 << (12 + i);
            if ((tsd & TSD_TUN) != 0) summary |= 1 << (8 + i);
            if ((tsd & TSD_TABT) != 0) summary |= 1 << (4 + i);
            if ((tsd & TSD_OWN) != 0) summary |= 1 << i;
        }
        return summary;
    }

    // ---- receive ---------------------------------------------------------------------------------

    private int receiveBufferLength() {
        return 8192 << ((receiveConfig >>> RCR_RBLEN_SHIFT) & 3);
    }

    /** Where the driver will read next: CAPR sits 16 bytes behind it (programming guide, "Receive"). */
    private int readOffset() {
        return ((readPointerRegister + 16) & 0xFFFF) % receiveBufferLength();
    }

    private boolean receiveBufferEmpty() {
        return readOffset() == writeOffset % receiveBufferLength();
    }

    /** Moves queued frames into the ring while it has room (VM thread). */
    private void drainReceiveQueue() {
        drainPosted.set(false);
        int overflows = queueOverflows.getAndSet(0);
        if (overflows > 0) {
            missedPackets = (missedPackets + overflows) & 0xFFFFFF;
            raise(INT_RXOVW);
        }
        while (true) {
            Arrival next = receiveQueue.peek();
            if (next == null) {
                return;
            }
            if (next.from() != connection || !linkUp) {
                receiveQueue.poll();
                continue;
            }
            if ((command & CR_RE) == 0) {
                receiveQueue.poll(); // receiver off: the frame passes by unseen
                continue;
            }
            if (!receive(next.frame())) {
                return; // ring full: the frame waits until the driver moves CAPR
            }
            receiveQueue.poll();
        }
    }

    /**
     * Accepts one frame off the wire (no FCS) into the ring. Returns false if
     * the ring has no room (ISR.RXOVW set); true when the frame was stored or
     * filtered out.
     */
    boolean receive(byte[] frame) {
        if (frame.length < 14) {
            return true; // not even an Ethernet header
        }
        int status = addressFilter(frame);
        if (status == 0) {
            return true;
        }
        int lengthWithFcs = frame.length + 4;
        if (lengthWithFcs > MAX_RECEIVE_WITH_FCS) {
            return true; // LONG: dropped
        }
        if (frame.length < MIN_FRAME) {
            if ((receiveConfig & RCR_AR) == 0) {
                return true;
            }
            status |= RX_RUNT;
        }
        if (!isBusMaster()) {
            return true;
        }
        int ringLength = receiveBufferLength();
        int space = (4 + lengthWithFcs + 3) & ~3;
        int write = writeOffset % ringLength;
        int free = receiveBufferEmpty() ? ringLength : Math.floorMod(readOffset() - write, ringLength);
        if (space >= free) {
            raise(INT_RXOVW);
            return false;
        }
        byte[] packet = new byte[4 + lengthWithFcs];
        int header = status | RX_ROK;
        packet[0] = (byte) header;
        packet[1] = (byte) (header >>> 8);
        packet[2] = (byte) lengthWithFcs;
        packet[3] = (byte) (lengthWithFcs >>> 8);
        System.arraycopy(frame, 0, packet, 4, frame.length);
        CRC32 crc = new CRC32();
        crc.update(frame);
        int fcs = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            packet[4 + frame.length + i] = (byte) (fcs >>> (8 * i));
        }
        writeToRing(write, packet, ringLength);
        writeOffset = (write + space) % ringLength;
        framesTransferred++;
        raise(INT_ROK);
        return true;
    }

    /**
     * With RCR.WRAP set the chip writes past the end of the ring (the driver
     * allocates slack there); with it clear the packet wraps to RBSTART.
     */
    private void writeToRing(int offset, byte[] packet, int ringLength) {
        long start = Integer.toUnsignedLong(receiveBufferStart);
        int firstPart = (receiveConfig & RCR_WRAP) != 0 ? packet.length : Math.min(packet.length, ringLength - offset);
        memory.writeBytes(start + offset, packet, 0, firstPart);
        if (firstPart < packet.length) {
            memory.writeBytes(start, packet, firstPart, packet.length - firstPart);
        }
    }

    /** RCR's accept rules; returns the header's BAR/PAM/MAR bits (ROK for promiscuous), or 0 to refuse. */
    private int addressFilter(byte[] frame) {
        boolean group = (frame[0] & 1) != 0;
        if (group) {
            boolean broadcast = true;
            for (int i = 0; i < 6; i++) {
                broadcast &= frame[i] == (byte) 0xFF;
            }
            if (broadcast) {
                return (receiveConfig & (RCR_AB | RCR_AAP)) != 0 ? RX_BAR : 0;
            }
            if ((receiveConfig & RCR_AAP) != 0) {
                return RX_MAR;
            }
            int bit = multicastHashIndex(frame);
            boolean inFilter = (mar[bit >>> 3] & (1 << (bit & 7))) != 0;
            return (receiveConfig & RCR_AM) != 0 && inFilter ? RX_MAR : 0;
        }
        boolean mine = Arrays.equals(frame, 0, 6, idr, 0, 6);
        if (mine && (receiveConfig & RCR_APM) != 0) {
            return RX_PAM;
        }
        return (receiveConfig & RCR_AAP) != 0 ? RX_ROK : 0;
    }

    /**
     * The multicast filter bit: the 6 most significant bits of the Ethernet
     * CRC-32 of the destination address (datasheet, MAR0-7). CRC32 computes
     * the bit-reflected register, so its complement reversed is the MSB-first CRC.
     */
    static int multicastHashIndex(byte[] destination) {
        CRC32 crc = new CRC32();
        crc.update(destination, 0, 6);
        return Integer.reverse(~(int) crc.getValue()) >>> 26;
    }

    // ---- snapshots ------------------------------------------------------------------------------

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        out.writeInt(1);
        eeprom.saveState(out);
        out.write(otherRegisters);
        out.write(idr);
        out.write(mar);
        for (int i = 0; i < 4; i++) {
            out.writeInt(transmitStatus[i]);
            out.writeInt(transmitAddress[i]);
            out.writeBoolean(transmitPending[i]);
        }
        out.writeInt(nextTransmitDescriptor);
        out.writeInt(receiveBufferStart);
        out.writeInt(command);
        out.writeInt(readPointerRegister);
        out.writeInt(writeOffset);
        out.writeInt(interruptMask);
        out.writeInt(interruptStatus);
        out.writeInt(transmitConfig);
        out.writeInt(receiveConfig);
        out.writeLong(events.now() - tctrZeroNanos);
        out.writeInt(timerInterval);
        out.writeInt(missedPackets);
        out.writeInt(cfg9346);
        out.writeInt(config0);
        out.writeInt(config1);
        out.writeInt(config3);
        out.writeInt(config4);
        out.writeInt(config5);
        out.writeInt(multipleInterrupt);
        out.writeInt(basicModeControl);
        out.writeBoolean(linkUp);
        out.writeBoolean(linkChanged);
        out.writeInt(cscrWritable);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("RTL8139: unsupported state version " + version);
        }
        eeprom.restoreState(in);
        in.readFully(otherRegisters);
        in.readFully(idr);
        in.readFully(mar);
        for (int i = 0; i < 4; i++) {
            transmitStatus[i] = in.readInt();
            transmitAddress[i] = in.readInt();
            transmitPending[i] = in.readBoolean();
        }
        nextTransmitDescriptor = in.readInt() & 3;
        receiveBufferStart = in.readInt();
        command = in.readInt();
        readPointerRegister = in.readInt();
        writeOffset = in.readInt();
        interruptMask = in.readInt();
        interruptStatus = in.readInt();
        transmitConfig = in.readInt();
        receiveConfig = in.readInt();
        tctrZeroNanos = events.now() - in.readLong();
        timerInterval = in.readInt();
        missedPackets = in.readInt();
        cfg9346 = in.readInt();
        config0 = in.readInt();
        config1 = in.readInt();
        config3 = in.readInt();
        config4 = in.readInt();
        config5 = in.readInt();
        multipleInterrupt = in.readInt();
        basicModeControl = in.readInt();
        linkUp = in.readBoolean();
        linkChanged = in.readBoolean();
        cscrWritable = in.readInt();
        scheduleTimerInt();
        updateInterrupt();
    }
}
