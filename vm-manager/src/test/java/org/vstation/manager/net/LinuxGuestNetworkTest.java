package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vstation.devices.Machine;

/**
 * The Debian live guest's 8139too against our RTL8139 and NAT gateway:
 * DHCP with busybox udhcpc, wget from a loopback HTTP server through
 * 10.0.2.2, nslookup through the DNS relay (to a resolver this test runs),
 * a switch to host-only and back while the guest runs, and a UDP exchange
 * with a server on the host's loopback. Needs the live CD and a CPU fast enough to boot it.
 */
@Tag("slow")
class LinuxGuestNetworkTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(40);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private HttpServer http;
    private DatagramSocket udpEcho;
    private DatagramSocket resolver;
    private GuestShell guest;
    private Machine machine;

    @BeforeEach
    void startHostServers() throws Exception {
        http = LoopbackWebServer.start();
        udpEcho = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> serve(udpEcho, query -> answerA(query, new byte[] {10, 6, 6, 6})));
        resolver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> serve(resolver, query -> answerA(query, new byte[] {10, 9, 8, 7})));
    }

    @AfterEach
    void stop() throws Exception {
        if (guest != null) {
            guest.close();
        }
        http.stop(0);
        udpEcho.close();
        resolver.close();
    }

    private interface Responder {
        byte[] answer(byte[] request);
    }

    private static void serve(DatagramSocket socket, Responder responder) {
        byte[] buffer = new byte[1500];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] reply = responder.answer(Arrays.copyOf(packet.getData(), packet.getLength()));
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (java.io.IOException e) {
                return;
            }
        }
    }

    /** Answers any query with one A record (RFC 1035 4.1: the question echoed, the answer named by pointer). */
    private static byte[] answerA(byte[] query, byte[] address) {
        byte[] reply = Arrays.copyOf(query, query.length + 16);
        reply[2] = (byte) 0x81;
        reply[3] = (byte) 0x80;
        Frames.put16(reply, 6, 1);
        Frames.put16(reply, 8, 0);
        Frames.put16(reply, 10, 0);
        int at = query.length;
        byte[] answer = {(byte) 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, address[0], address[1], address[2], address[3]};
        System.arraycopy(answer, 0, reply, at, answer.length);
        return reply;
    }

    /** Runs udhcpc; on failure adds the adapter's and the interrupt path's state to the message. */
    private void dhcp(String expectedAddress) throws Exception {
        String leased;
        try {
            leased = guest.dhcp(COMMAND_TIMEOUT);
        } catch (AssertionError e) {
            guest.type("cat /proc/interrupts; echo IRQS-LISTED");
            guest.await("IRQS-LISTED", COMMAND_TIMEOUT);
            throw new AssertionError(e.getMessage() + "\n" + adapterState(), e);
        }
        assertEquals(expectedAddress, leased);
    }

    /** The adapter's and the interrupt path's registers, read on the VM thread (for a failure message). */
    private String adapterState() throws Exception {
        java.util.concurrent.CompletableFuture<String> state = new java.util.concurrent.CompletableFuture<>();
        machine.post(() -> {
            var nic = machine.networkAdapter();
            var io = machine.ioBus();
            StringBuilder text = new StringBuilder("RTL8139:");
            for (int reg : new int[] {0x37, 0x38, 0x3A, 0x3C, 0x3E, 0x44, 0x60}) {
                text.append(String.format(" %02x=%04x", reg, nic.ioRead(reg, 2)));
            }
            text.append(String.format(" pci-status=%04x command=%04x line=%d", nic.configRead(6, 2),
                    nic.configRead(4, 2), nic.configRead(0x3C, 1)));
            var piix3 = machine.pciBus().function(1, 0);
            text.append(String.format("%nPIIX3 PIRQRC=%08x ELCR=%02x %02x", piix3.configRead(0x60, 4),
                    io.read(0x4D0, 1), io.read(0x4D1, 1)));
            io.write(0x20, 1, 0x0A);
            int masterIrr = io.read(0x20, 1);
            io.write(0xA0, 1, 0x0A);
            int slaveIrr = io.read(0xA0, 1);
            io.write(0x20, 1, 0x0B);
            int masterIsr = io.read(0x20, 1);
            io.write(0xA0, 1, 0x0B);
            int slaveIsr = io.read(0xA0, 1);
            text.append(String.format("%nPIC master IRR=%02x ISR=%02x IMR=%02x; slave IRR=%02x ISR=%02x IMR=%02x",
                    masterIrr, masterIsr, io.read(0x21, 1), slaveIrr, slaveIsr, io.read(0xA1, 1)));
            state.complete(text.toString());
        });
        return state.get(10, TimeUnit.SECONDS);
    }

    @Test
    void linuxGetsALeaseFetchesResolvesAndSwitchesNetworks() throws Exception {
        Path iso = GuestShell.liveCd();
        assumeTrue(iso != null, "no live CD or SeaBIOS in the cache (guest-images/build-debian-live, fetch-firmware)");
        guest = GuestShell.build("linux-guest-network", iso, "02:56:53:00:10:0a");
        machine = guest.machine();
        assumeTrue(machine.pciBus().function(1, 1) != null, "the IDE controller is not on this branch yet");
        machine.switchNetwork(new NatBackend("net-e2e", NatBackend.DEFAULT_NETWORK,
                (InetSocketAddress) resolver.getLocalSocketAddress(), List.of()));
        machine.start();
        guest.await("# ", BOOT_TIMEOUT);

        dhcp("10.0.2.15");
        guest.type("wget -q -O - http://10.0.2.2:" + http.getAddress().getPort() + "/");
        guest.await("served-by-the-host-loopback", COMMAND_TIMEOUT);
        guest.type("nslookup vstation.test");
        guest.await("10.9.8.7", COMMAND_TIMEOUT);

        // NAT -> host-only: the guest sees the link drop, then leases on 192.168.56.0/24 and
        // reaches the host endpoint but not the loopback server behind it.
        HostOnlyNetwork hostOnly = HostOnlyNetwork.named("net-e2e");
        machine.switchNetwork(hostOnly.connect("net-e2e"));
        guest.await("link down", COMMAND_TIMEOUT);
        guest.await("link up", COMMAND_TIMEOUT);
        dhcp("192.168.56.101");
        // $((...)) makes the awaited text differ from the echoed command line.
        guest.type("ping -c 1 192.168.56.1 && echo PING-HOST-$((40+2))");
        guest.await("PING-HOST-42", COMMAND_TIMEOUT);
        guest.type("wget -q -O - http://192.168.56.1:" + http.getAddress().getPort() + "/ || echo REFUSED-$((40+3))");
        guest.await("REFUSED-43", COMMAND_TIMEOUT);

        machine.switchNetwork(new NatBackend("net-e2e-2", NatBackend.DEFAULT_NETWORK,
                (InetSocketAddress) resolver.getLocalSocketAddress(), List.of()));
        guest.await("link up", COMMAND_TIMEOUT);
        dhcp("10.0.2.15");
        guest.type("wget -q -O - http://10.0.2.2:" + http.getAddress().getPort() + "/");
        guest.await("served-by-the-host-loopback", COMMAND_TIMEOUT);

        // A UDP exchange with a server on the host's loopback (busybox nc has no -u; nslookup's
        // query to a chosen port is the guest's UDP client). The server answers with 10.6.6.6.
        guest.type("nslookup -port=" + udpEcho.getLocalPort() + " udp.test 10.0.2.2");
        guest.await("10.6.6.6", COMMAND_TIMEOUT);
        assertTrue(machine.errorMessage() == null, "the VM kept running");
    }
}
