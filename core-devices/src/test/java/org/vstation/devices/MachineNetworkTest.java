package org.vstation.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.vstation.devices.net.FrameReceiver;
import org.vstation.devices.net.NetworkBackend;
import org.vstation.devices.net.Rtl8139;

/** The machine's network block: the RTL8139 on PCI and switching its backend while the VM runs. */
class MachineNetworkTest {
    private static final byte[] MAC = {0x02, 0x56, 0x53, 0, 0, 1};

    private static final class RecordingBackend implements NetworkBackend {
        volatile FrameReceiver receiver;
        final CountDownLatch closed = new CountDownLatch(1);
        @Override public void transmit(byte[] frame, int length) { }
        @Override public void attach(FrameReceiver receiver) { this.receiver = receiver; }
        @Override public void close() { closed.countDown(); }
    }

    private static Machine newMachine(byte[] mac) {
        byte[] bios = new byte[0x20000];
        return new Machine("net", new MachineConfig().memoryMegabytes(4).biosImage(bios).nicMac(mac),
                (memory, io, ic, clock) -> new MachineTest.ScriptedProcessor(memory, io));
    }

    private static <T> T onVmThread(Machine machine, Supplier<T> query) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        machine.post(() -> result.complete(query.get()));
        return result.get(5, TimeUnit.SECONDS);
    }

    @Test
    void nicSitsAtSlotThreeOnlyWhenConfigured() {
        Machine machine = newMachine(MAC);
        assertNotNull(machine.networkAdapter());
        assertEquals(0x8139, machine.pciBus().function(Machine.NIC_PCI_SLOT, 0).configRead(2, 2));
        assertNull(newMachine(null).networkAdapter());
    }

    @Test
    void transmitCompletionInterruptsTheCpuThroughPirqCAndTheSlavePic() {
        MachineTest.ScriptedProcessor[] cpu = new MachineTest.ScriptedProcessor[1];
        Machine machine = new Machine("net", new MachineConfig().memoryMegabytes(4).biosImage(new byte[0x20000]).nicMac(MAC),
                (memory, io, ic, clock) -> {
                    cpu[0] = new MachineTest.ScriptedProcessor(memory, io);
                    cpu[0].interruptController = ic;
                    return cpu[0];
                });
        var io = machine.ioBus();
        int[] master = {0x11, 0x08, 0x04, 0x01};
        int[] slave = {0x11, 0x70, 0x02, 0x01};
        for (int i = 0; i < 4; i++) {
            io.write(i == 0 ? 0x20 : 0x21, 1, master[i]);
            io.write(i == 0 ? 0xA0 : 0xA1, 1, slave[i]);
        }
        io.write(0x21, 1, 0xFB); // only the cascade
        io.write(0xA1, 1, 0xF7); // only IRQ 11
        io.write(0x4D1, 1, 0x08); // IRQ 11 level-triggered, as Linux sets it for a PCI interrupt
        var piix3 = machine.pciBus().function(1, 0);
        // What Linux left in the e2e run: only PIRQ C (LNKC, slot 3's INTA# in SeaBIOS's _PRT) routed, to 11.
        piix3.configWrite(0x60, 4, 0x8B0B_8A8A);
        Rtl8139 nic = machine.networkAdapter();
        nic.configWrite(0x04, 2, 0x07);
        nic.ioWrite(Rtl8139.CR, 1, Rtl8139.CR_TE);
        nic.ioWrite(Rtl8139.IMR, 2, Rtl8139.INT_TOK);
        nic.ioWrite(Rtl8139.TSAD0, 4, 0x1000);
        nic.ioWrite(Rtl8139.TSD0, 4, 60);
        assertTrue(cpu[0].interruptRequested, "INTR raised");
        assertEquals(0x70 + 3, cpu[0].interruptController.acknowledgeInterrupt(), "vector of IRQ 11");
        nic.ioWrite(Rtl8139.ISR, 2, Rtl8139.INT_TOK);
        io.write(0xA0, 1, 0x20);
        io.write(0x20, 1, 0x20);
        assertFalse(cpu[0].interruptRequested, "acknowledged at the device: the level drops");
    }

    @Test
    void switchingARunningVmFlapsTheLinkAndIsolatesTheOldNetwork() throws Exception {
        Machine machine = newMachine(MAC);
        Rtl8139 nic = machine.networkAdapter();
        RecordingBackend nat = new RecordingBackend();
        RecordingBackend hostOnly = new RecordingBackend();
        machine.start();
        try {
            machine.switchNetwork(nat);
            assertTrue(onVmThread(machine, nic::isLinkUp));
            FrameReceiver natReceiver = nat.receiver;

            machine.switchNetwork(hostOnly);
            assertFalse(onVmThread(machine, nic::isLinkUp), "the guest sees the cable unplugged");
            assertEquals(Rtl8139.INT_PUN_LINKCHG,
                    onVmThread(machine, () -> nic.ioRead(Rtl8139.ISR, 2)) & Rtl8139.INT_PUN_LINKCHG);
            assertFalse(natReceiver.offer(new byte[64]), "the old network can no longer deliver");
            assertTrue(nat.closed.await(5, TimeUnit.SECONDS), "the old backend is closed");
            assertEquals(hostOnly, onVmThread(machine, nic::backend));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!onVmThread(machine, nic::isLinkUp) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(onVmThread(machine, nic::isLinkUp), "the link comes back on the new network");
        } finally {
            machine.powerOff();
            assertTrue(machine.awaitTermination(5, TimeUnit.SECONDS));
        }
        assertTrue(hostOnly.closed.await(5, TimeUnit.SECONDS), "power off closes the backend");
    }
}
