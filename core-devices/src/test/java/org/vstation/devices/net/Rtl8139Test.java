package org.vstation.devices.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.devices.net.Rtl8139.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.cpu.bus.PhysicalMemory;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.clock.EventQueue;
import org.vstation.devices.pci.PciBus;
import org.vstation.devices.pci.PciDevice;

/** Drives the RTL8139 through its registers in the order Linux's 8139too does. */
class Rtl8139Test {
    private static final byte[] MAC = {0x02, 0x56, 0x53, 0x12, 0x34, 0x56};
    private static final int RING = 0x10000;
    private static final int TX_BUFFERS = 0x20000;

    private final long[] now = {0};
    private final EventQueue events = new EventQueue(() -> now[0]);
    private final PhysicalMemory memory = new PhysicalMemory(1 << 20);
    private final ArrayDeque<Runnable> vmTasks = new ArrayDeque<>();
    private final List<byte[]> transmitted = new ArrayList<>();
    private FrameReceiver toGuest;
    private Rtl8139 nic;

    private final NetworkBackend backend = new NetworkBackend() {
        @Override public void transmit(byte[] frame, int length) { transmitted.add(Arrays.copyOf(frame, length)); }
        @Override public void attach(FrameReceiver receiver) { toGuest = receiver; }
        @Override public void close() { }
    };

    @BeforeEach
    void setUp() {
        nic = new Rtl8139(MAC, memory, events, vmTasks::add);
        nic.configWrite(PciDevice.COMMAND, 2,
                PciDevice.COMMAND_IO_SPACE | PciDevice.COMMAND_MEMORY_SPACE | PciDevice.COMMAND_BUS_MASTER);
        nic.connectBackend(backend);
    }

    private void runVmTasks() {
        Runnable task;
        while ((task = vmTasks.poll()) != null) {
            task.run();
        }
    }

    private boolean interruptAsserted() {
        return (nic.configRead(PciDevice.STATUS, 2) & PciDevice.STATUS_INTERRUPT) != 0;
    }

    private int in8(int reg) { return nic.ioRead(reg, 1); }
    private int in16(int reg) { return nic.ioRead(reg, 2); }
    private int in32(int reg) { return nic.ioRead(reg, 4); }
    private void out8(int reg, int v) { nic.ioWrite(reg, 1, v); }
    private void out16(int reg, int v) { nic.ioWrite(reg, 2, v); }
    private void out32(int reg, int v) { nic.ioWrite(reg, 4, v); }

    /** rtl8139_hw_start: reset, MAC, ring, RE|TE, RCR, TCR, interrupt mask. */
    private void driverStart(int rcr) {
        out8(CR, CR_RST);
        assertEquals(0, in8(CR) & CR_RST, "reset completes");
        out8(CFG9346, EEM_CONFIG_WRITE);
        out32(IDR0, (MAC[0] & 0xFF) | (MAC[1] & 0xFF) << 8 | (MAC[2] & 0xFF) << 16 | (MAC[3] & 0xFF) << 24);
        out32(IDR0 + 4, (MAC[4] & 0xFF) | (MAC[5] & 0xFF) << 8);
        out32(RBSTART, RING);
        out8(CR, CR_RE | CR_TE);
        out32(RCR, rcr);
        out32(TCR, 0x0300_0600);
        out8(CFG9346, EEM_NORMAL);
        for (int i = 0; i < 4; i++) {
            out32(TSAD0 + 4 * i, TX_BUFFERS + 0x800 * i);
        }
        out32(MPC, 0);
        out16(IMR, 0xE07F);
    }

    /** read_eeprom() of 8139too: CS, 1 + opcode 10 + 6 address bits, then 16 clocks reading DO. */
    private int readEeprom(int location) {
        int readCommand = location | (6 << 6);
        int enable = EEM_PROGRAMMING | EECS;
        out8(CFG9346, enable & ~EECS);
        out8(CFG9346, enable);
        for (int i = 4 + 6; i >= 0; i--) {
            int data = (readCommand & (1 << i)) != 0 ? EEDI : 0;
            out8(CFG9346, enable | data);
            out8(CFG9346, enable | data | EESK);
        }
        out8(CFG9346, enable);
        int value = 0;
        for (int i = 16; i > 0; i--) {
            out8(CFG9346, enable | EESK);
            value = (value << 1) | ((in8(CFG9346) & EEDO) != 0 ? 1 : 0);
            out8(CFG9346, enable);
        }
        out8(CFG9346, 0);
        return value;
    }

    private static byte[] frame(byte[] destination, int length, int fill) {
        byte[] f = new byte[length];
        System.arraycopy(destination, 0, f, 0, 6);
        System.arraycopy(new byte[] {0x02, 0, 0, 0, 0, 9}, 0, f, 6, 6);
        f[12] = 0x08;
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (fill + i);
        }
        return f;
    }

    /** What rtl8139_rx does for one packet: header, data, CRC; then CAPR = next - 16. Null when BUFE. */
    private int readOffset = 0;

    private byte[] driverReceiveOne(int ringLength, boolean noWrap) {
        if ((in8(CR) & CR_BUFE) != 0) {
            return null;
        }
        byte[] header = new byte[4];
        memory.readBytes(RING + readOffset, header, 0, 4);
        int status = (header[0] & 0xFF) | (header[1] & 0xFF) << 8;
        int size = (header[2] & 0xFF) | (header[3] & 0xFF) << 8;
        assertTrue((status & RX_ROK) != 0, "ROK in the header");
        byte[] packet = new byte[size];
        for (int i = 0; i < size; i++) {
            int at = noWrap ? readOffset + 4 + i : (readOffset + 4 + i) % ringLength;
            packet[i] = (byte) memory.read8(RING + at);
        }
        readOffset = (readOffset + size + 4 + 3) & ~3;
        readOffset %= ringLength;
        out16(CAPR, (readOffset - 16) & 0xFFFF);
        lastStatus = status;
        return packet;
    }

    private int lastStatus;

    private static byte[] withFcs(byte[] frame) {
        CRC32 crc = new CRC32();
        crc.update(frame);
        byte[] out = Arrays.copyOf(frame, frame.length + 4);
        int fcs = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            out[frame.length + i] = (byte) (fcs >>> (8 * i));
        }
        return out;
    }

    @Test
    void pciIdentityIsAPlainRtl8139cThat8139tooDrives() {
        assertEquals(0x10EC, nic.configRead(PciDevice.VENDOR_ID, 2));
        assertEquals(0x8139, nic.configRead(PciDevice.DEVICE_ID, 2));
        assertTrue(nic.configRead(PciDevice.REVISION_ID, 1) < 0x20, "8139cp takes revision 0x20 and up");
        assertEquals(0x020000, nic.configRead(PciDevice.REVISION_ID, 4) >>> 8);
        assertEquals(1, nic.configRead(PciDevice.INTERRUPT_PIN, 1));
        nic.configWrite(PciDevice.BAR0, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFFF01, nic.configRead(PciDevice.BAR0, 4), "256 I/O ports");
        nic.configWrite(PciDevice.BAR0 + 4, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFF000, nic.configRead(PciDevice.BAR0 + 4, 4), "4 KiB memory window");
        assertEquals(TCR_HWVERID_8139C, in32(TCR) & 0x7CC0_0000, "8139too's chip table: RTL-8139C");
    }

    @Test
    void eepromHoldsTheIdAndTheMacAsTheDriverReadsIt() {
        assertEquals(0x8129, readEeprom(0));
        for (int i = 0; i < 3; i++) {
            assertEquals((MAC[2 * i] & 0xFF) | (MAC[2 * i + 1] & 0xFF) << 8, readEeprom(7 + i));
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(MAC[i] & 0xFF, in8(IDR0 + i), "IDR" + i + " loaded from the EEPROM");
        }
    }

    @Test
    void autoloadRestoresTheMacAfterTheGuestChangedIt() {
        out8(CFG9346, EEM_CONFIG_WRITE);
        out32(IDR0, 0);
        assertEquals(0, in8(IDR0 + 1));
        out8(CFG9346, EEM_AUTOLOAD);
        assertEquals(MAC[1] & 0xFF, in8(IDR0 + 1));
        assertEquals(EEM_NORMAL, in8(CFG9346) & EEM_MASK, "autoload returns to normal mode");
    }

    @Test
    void softwareResetClearsStateButKeepsAddresses() {
        driverStart(RCR_APM | RCR_AB);
        out8(MAR0 + 3, 0x40);
        toGuest.offer(frame(MAC, 100, 1));
        runVmTasks();
        assertTrue(interruptAsserted());
        out8(CR, CR_RST);
        assertEquals(CR_BUFE, in8(CR), "receiver, transmitter off; ring empty");
        assertEquals(0, in16(ISR));
        assertEquals(0, in16(IMR));
        assertEquals(0xFFF0, in16(CAPR));
        assertEquals(0, in16(CBR));
        assertEquals(TSD_OWN, in32(TSD0 + 8));
        assertEquals(0x40, in8(MAR0 + 3));
        assertEquals(MAC[5] & 0xFF, in8(IDR0 + 5));
        assertFalse(interruptAsserted());
    }

    @Test
    void configRegistersAreWritableOnlyWhenUnlocked() {
        int before = in8(CONFIG1);
        out8(CONFIG1, before | 1);
        assertEquals(before, in8(CONFIG1), "locked");
        out8(CFG9346, EEM_CONFIG_WRITE);
        out8(CONFIG1, before | 1);
        assertEquals(before | 1, in8(CONFIG1));
    }

    @Test
    void transmitsAllFourDescriptorsInTurnAndInterruptsWithTok() {
        driverStart(RCR_APM | RCR_AB);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 4; i++) {
                byte[] payload = frame(new byte[] {1, 2, 3, 4, 5, 6}, 60 + 100 * i + round, i);
                memory.writeBytes(TX_BUFFERS + 0x800 * i, payload, 0, payload.length);
                out32(TSD0 + 4 * i, (8 << 16) | payload.length); // ERTXTH as 8139too sets it, OWN clear
                int tsd = in32(TSD0 + 4 * i);
                assertEquals(TSD_OWN | TSD_TOK, tsd & (TSD_OWN | TSD_TOK), "descriptor " + i + " done");
                assertEquals(payload.length, tsd & TSD_SIZE);
                assertTrue(interruptAsserted());
                assertArrayEquals(payload, transmitted.getLast());
                assertEquals(INT_TOK, in16(ISR));
                out16(ISR, INT_TOK);
                assertFalse(interruptAsserted());
            }
        }
        assertEquals(8, transmitted.size());
        assertEquals(0xF00F, in16(TSAD), "TOK and OWN of all four");
    }

    @Test
    void activityCountsFramesSentAndReceivedButNotFilteredOnes() {
        driverStart(RCR_APM);
        assertEquals(0, nic.activityCount());
        out32(TSD0, 64);
        assertEquals(1, nic.activityCount(), "a frame sent");
        assertTrue(toGuest.offer(frame(MAC, 100, 1)));
        runVmTasks();
        assertEquals(2, nic.activityCount(), "a frame for our address received");
        assertTrue(toGuest.offer(frame(new byte[] {2, 9, 9, 9, 9, 9}, 100, 2)));
        runVmTasks();
        assertEquals(2, nic.activityCount(), "a frame for another station is filtered and not counted");
    }

    @Test
    void imrGatesTheLineWhileIsrRecordsEveryEventUntilWrittenBack() {
        driverStart(RCR_APM | RCR_AB);
        out16(IMR, 0); // as rtl8139_interrupt masks the chip while NAPI polls
        byte[] payload = frame(new byte[] {1, 2, 3, 4, 5, 6}, 64, 0);
        memory.writeBytes(TX_BUFFERS, payload, 0, payload.length);
        out32(TSD0, payload.length);
        assertEquals(INT_TOK, in16(ISR), "the event is recorded while masked");
        assertFalse(interruptAsserted(), "but the line stays low");
        toGuest.offer(frame(MAC, 64, 1));
        runVmTasks();
        assertEquals(INT_TOK | INT_ROK, in16(ISR));
        out16(IMR, INT_ROK);
        assertTrue(interruptAsserted(), "unmasking a pending event raises the line");
        out16(ISR, INT_TOK); // write 1 to clear: only the bits written go
        assertEquals(INT_ROK, in16(ISR));
        assertTrue(interruptAsserted());
        out16(ISR, INT_ROK);
        assertEquals(0, in16(ISR));
        assertFalse(interruptAsserted());
    }

    @Test
    void descriptorsAreServedRoundRobinFromTheNextOne() {
        driverStart(RCR_APM);
        byte[] a = frame(new byte[] {1, 1, 1, 1, 1, 1}, 80, 1);
        byte[] b = frame(new byte[] {2, 2, 2, 2, 2, 2}, 80, 2);
        memory.writeBytes(TX_BUFFERS + 0x800, b, 0, b.length);
        out32(TSD0 + 4, b.length);
        assertTrue(transmitted.isEmpty(), "descriptor 1 waits for descriptor 0");
        assertEquals(0, in32(TSD0 + 4) & TSD_OWN);
        memory.writeBytes(TX_BUFFERS, a, 0, a.length);
        out32(TSD0, a.length);
        assertEquals(2, transmitted.size());
        assertArrayEquals(a, transmitted.get(0));
        assertArrayEquals(b, transmitted.get(1));
    }

    @Test
    void shortFramesArePaddedAndOversizedOnesAbort() {
        driverStart(RCR_APM);
        out32(TSD0, 20);
        assertEquals(MIN_FRAME, transmitted.getLast().length);
        out32(TSD0 + 4, MAX_TRANSMIT_SIZE + 1);
        assertTrue((in32(TSD0 + 4) & TSD_TABT) != 0);
        assertTrue((in16(ISR) & INT_TER) != 0);
        assertEquals(1, transmitted.size());
    }

    @Test
    void loopbackModeReceivesItsOwnFrames() {
        driverStart(RCR_APM);
        out32(TCR, TCR_LOOPBACK);
        byte[] f = frame(MAC, 90, 3);
        memory.writeBytes(TX_BUFFERS, f, 0, f.length);
        out32(TSD0, f.length);
        assertTrue(transmitted.isEmpty());
        assertArrayEquals(withFcs(f), driverReceiveOne(8192 + 16, false));
    }

    @Test
    void receiveRingWrapsToTheStartWithWrapClear() {
        driverStart(RCR_APM | RCR_AB); // RBLEN 0: 8 KiB ring
        int ringLength = 8192;
        int total = 0;
        for (int n = 0; n < 40; n++) {
            byte[] f = frame(MAC, 300 + 7 * n, n);
            assertTrue(toGuest.offer(f));
            runVmTasks();
            assertEquals(INT_ROK, in16(ISR) & INT_ROK);
            byte[] got = driverReceiveOne(ringLength, false);
            assertArrayEquals(withFcs(f), got, "packet " + n);
            assertEquals(RX_ROK | RX_PAM, lastStatus);
            out16(ISR, INT_ROK);
            total += (f.length + 8 + 3) & ~3;
            assertEquals(total % ringLength, in16(CBR));
            assertEquals(CR_BUFE, in8(CR) & CR_BUFE);
        }
        assertTrue(total > ringLength, "the ring wrapped");
    }

    @Test
    void receiveRingWithWrapSetWritesPastTheEnd() {
        driverStart(RCR_APM | RCR_WRAP);
        int ringLength = 8192;
        int total = 0;
        for (int n = 0; n < 30; n++) {
            byte[] f = frame(MAC, 1000 + n, n);
            toGuest.offer(f);
            runVmTasks();
            int start = readOffset;
            byte[] got = driverReceiveOne(ringLength, true);
            assertArrayEquals(withFcs(f), got, "packet " + n + " contiguous from " + start);
            total += (f.length + 8 + 3) & ~3;
        }
        assertTrue(total > ringLength);
    }

    @Test
    void turningTheReceiverOffRestartsTheRing() {
        driverStart(RCR_APM);
        toGuest.offer(frame(MAC, 100, 1));
        runVmTasks();
        assertEquals(0, in8(CR) & CR_BUFE);
        out8(CR, CR_TE); // 8139too's rx error recovery: receiver off, on again, cur_rx = 0
        out8(CR, CR_RE | CR_TE);
        assertEquals(CR_BUFE, in8(CR) & CR_BUFE);
        assertEquals(0, in16(CBR));
        toGuest.offer(frame(MAC, 120, 2));
        runVmTasks();
        assertEquals(124, driverReceiveOne(8192, false).length, "the next packet is at offset 0");
    }

    @Test
    void fullRingSignalsOverflowAndTheFrameWaitsForTheDriver() {
        driverStart(RCR_APM);
        for (int n = 0; n < 8; n++) {
            toGuest.offer(frame(MAC, 1500, n));
        }
        runVmTasks();
        assertTrue((in16(ISR) & INT_RXOVW) != 0, "8 x 1.5 KiB does not fit in 8 KiB");
        int received = 0;
        while (driverReceiveOne(8192, false) != null) {
            received++;
            runVmTasks();
        }
        assertEquals(8, received, "the waiting frames entered the ring as the driver freed it");
    }

    @Test
    void floodBeyondTheQueueIsDroppedAndCountedInMpc() {
        driverStart(RCR_APM);
        int accepted = 0;
        for (int n = 0; n < 2000; n++) {
            if (toGuest.offer(frame(MAC, 1000, n))) {
                accepted++;
            }
        }
        assertTrue(accepted < 2000, "the queue is bounded");
        runVmTasks();
        assertEquals(2000 - accepted, in32(MPC));
    }

    @Test
    void addressFilterFollowsRcr() {
        byte[] other = {0x02, 0, 0, 0, 0, 0x77};
        byte[] broadcast = {-1, -1, -1, -1, -1, -1};
        byte[] multicast = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
        driverStart(RCR_APM);
        for (byte[] destination : List.of(other, broadcast, multicast)) {
            toGuest.offer(frame(destination, 64, 0));
        }
        runVmTasks();
        assertEquals(CR_BUFE, in8(CR) & CR_BUFE, "none of them is for us");

        out32(RCR, RCR_APM | RCR_AB);
        toGuest.offer(frame(broadcast, 64, 0));
        runVmTasks();
        assertEquals(64 + 4, driverReceiveOne(8192, false).length);
        assertEquals(RX_ROK | RX_BAR, lastStatus);

        out32(RCR, RCR_AAP);
        toGuest.offer(frame(other, 64, 0));
        runVmTasks();
        assertEquals(68, driverReceiveOne(8192, false).length, "promiscuous");
    }

    /** The hash as the datasheet defines it: the top 6 bits of the MSB-first Ethernet CRC of the address. */
    private static int referenceHash(byte[] address) {
        int crc = 0xFFFFFFFF;
        for (int i = 0; i < 6; i++) {
            int octet = address[i];
            for (int bit = 0; bit < 8; bit++, octet >>= 1) {
                boolean feedback = (crc < 0) ^ ((octet & 1) != 0);
                crc <<= 1;
                if (feedback) {
                    crc ^= 0x04C11DB7;
                }
            }
        }
        return crc >>> 26;
    }

    @Test
    void multicastHashFilterSelectsGroups() {
        driverStart(RCR_APM | RCR_AM);
        byte[] allHosts = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
        byte[] mdns = {0x01, 0x00, 0x5E, 0x00, 0x00, (byte) 0xFB};
        int bit = referenceHash(allHosts);
        assertTrue(referenceHash(mdns) != bit);
        assertEquals(bit, Rtl8139.multicastHashIndex(allHosts));
        out8(MAR0 + (bit >>> 3), 1 << (bit & 7));
        toGuest.offer(frame(mdns, 64, 0));
        toGuest.offer(frame(allHosts, 64, 0));
        runVmTasks();
        byte[] got = driverReceiveOne(8192, false);
        assertArrayEquals(allHosts, Arrays.copyOf(got, 6), "only the group in the filter");
        assertEquals(RX_ROK | RX_MAR, lastStatus);
        assertEquals(null, driverReceiveOne(8192, false));
    }

    @Test
    void runtsNeedAcceptRunt() {
        driverStart(RCR_APM);
        toGuest.offer(frame(MAC, 40, 0));
        runVmTasks();
        assertEquals(CR_BUFE, in8(CR) & CR_BUFE);
        out32(RCR, RCR_APM | RCR_AR);
        toGuest.offer(frame(MAC, 40, 0));
        runVmTasks();
        assertEquals(44, driverReceiveOne(8192, false).length);
        assertEquals(RX_ROK | RX_PAM | RX_RUNT, lastStatus);
    }

    @Test
    void linkChangeShowsInMiiRegistersAndInterrupts() {
        driverStart(RCR_APM);
        assertTrue((in16(BMSR) & BMSR_LINK_STATUS) != 0);
        assertEquals(0, in8(MSR) & MSR_LINKB);
        assertEquals(CSCR_LINK_OK, in16(CSCR) & (CSCR_LINK_OK | CSCR_LINK_CHANGE));
        nic.setLinkUp(false);
        assertEquals(INT_PUN_LINKCHG, in16(ISR));
        assertEquals(CSCR_LINK_CHANGE, in16(CSCR) & (CSCR_LINK_OK | CSCR_LINK_CHANGE), "8139too's link-change check");
        assertEquals(0, in16(CSCR) & CSCR_LINK_CHANGE, "the latch clears when read");
        assertTrue(interruptAsserted());
        assertEquals(0, in16(BMSR) & BMSR_LINK_STATUS);
        assertEquals(MSR_LINKB, in8(MSR) & MSR_LINKB);
        toGuest.offer(frame(MAC, 64, 0));
        runVmTasks();
        assertEquals(CR_BUFE, in8(CR) & CR_BUFE, "no frames without a link");
        out16(ISR, 0xFFFF);
        nic.setLinkUp(true);
        assertEquals(INT_PUN_LINKCHG, in16(ISR));
        assertTrue((in16(BMSR) & BMSR_LINK_STATUS) != 0);
    }

    @Test
    void timerIntRaisesTimeOutWhenTctrReachesIt() {
        driverStart(RCR_APM);
        out32(TCTR, 0);
        out32(TIMER_INT, 33_000); // 1 ms at 33 MHz
        now[0] += 500_000;
        events.runDue();
        assertEquals(16_500, in32(TCTR));
        assertEquals(0, in16(ISR) & INT_TIMEOUT);
        now[0] += 500_000;
        events.runDue();
        assertEquals(INT_TIMEOUT, in16(ISR) & INT_TIMEOUT);
        assertTrue(interruptAsserted());
    }

    @Test
    void aReplacedBackendCanNoLongerReachTheGuest() {
        driverStart(RCR_APM);
        FrameReceiver old = toGuest;
        old.offer(frame(MAC, 64, 1));
        nic.connectBackend(NetworkBackend.DISCONNECTED);
        runVmTasks();
        assertFalse(old.offer(frame(MAC, 64, 2)));
        runVmTasks();
        assertEquals(CR_BUFE, in8(CR) & CR_BUFE, "neither the queued nor the late frame arrives");
        out32(TSD0, 64);
        assertTrue(transmitted.isEmpty(), "and nothing the guest sends reaches it");
    }

    @Test
    void bothBarsReachTheRegistersOnceTheBusPlacesThem() {
        IoPortBus ioBus = new IoPortBus();
        PciBus pci = new PciBus(ioBus, memory);
        Rtl8139 placed = new Rtl8139(MAC, memory, events, vmTasks::add);
        pci.attach(3, 0, placed);
        placed.configWrite(PciDevice.BAR0, 4, 0xC000);
        placed.configWrite(PciDevice.BAR0 + 4, 4, 0xFEB0_0000);
        placed.configWrite(PciDevice.COMMAND, 2, PciDevice.COMMAND_IO_SPACE | PciDevice.COMMAND_MEMORY_SPACE);
        assertEquals(MAC[2] & 0xFF, ioBus.read(0xC000 + IDR0 + 2, 1));
        assertEquals(TCR_HWVERID_8139C, memory.read32(0xFEB0_0000L + TCR));
        memory.write16(0xFEB0_0000L + IMR, INT_ROK);
        assertEquals(INT_ROK, ioBus.read(0xC000 + IMR, 2));
    }

    @Test
    void stateSurvivesSaveAndRestore() throws Exception {
        driverStart(RCR_APM | RCR_AB);
        toGuest.offer(frame(MAC, 200, 5));
        runVmTasks();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        nic.saveState(new DataOutputStream(bytes));
        Rtl8139 copy = new Rtl8139(new byte[6], memory, events, vmTasks::add);
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (int reg = 0; reg < 0x70; reg += 2) {
            if (reg != TCTR && reg != TCTR + 2) {
                assertEquals(in16(reg), copy.ioRead(reg, 2), "register " + Integer.toHexString(reg));
            }
        }
    }
}
