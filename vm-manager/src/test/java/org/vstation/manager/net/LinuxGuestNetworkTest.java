package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vstation.devices.Machine;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.GuestImageUnavailableException;
import org.vstation.manager.images.LiveCdImage;
import org.vstation.manager.runner.RunOptions;
import org.vstation.manager.runner.VmLauncher;

/**
 * The Debian live guest's 8139too against our RTL8139 and NAT gateway:
 * DHCP with busybox udhcpc, wget from a loopback HTTP server through
 * 10.0.2.2, nslookup through the DNS relay (to a resolver this test runs),
 * a UDP exchange with a loopback echo server, and a switch to host-only and
 * back while the guest runs. Needs the live CD and a CPU fast enough to boot it.
 */
@Tag("slow")
class LinuxGuestNetworkTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private static final String DHCP_SCRIPT = "printf '#!/bin/sh\\n"
            + "[ \"$1\" = bound ] && ip addr flush dev $interface && ip addr add $ip/$mask dev $interface"
            + " && { [ -z \"$router\" ] || ip route add default via $router; }"
            + " && echo \"nameserver $dns\" > /etc/resolv.conf && echo LEASE-$ip\\n' > /tmp/dhcp.sh"
            + " && chmod +x /tmp/dhcp.sh";

    private HttpServer http;
    private DatagramSocket udpEcho;
    private DatagramSocket resolver;
    private Machine machine;
    private final StringBuilder serial = new StringBuilder();

    @BeforeEach
    void startHostServers() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = "served-by-the-host-loopback\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        udpEcho = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> serve(udpEcho, packet -> new String(packet, StandardCharsets.US_ASCII)
                .toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII)));
        resolver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> serve(resolver, LinuxGuestNetworkTest::answerA));
    }

    @AfterEach
    void stop() throws Exception {
        if (machine != null) {
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
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

    /** Every A query is answered with 10.9.8.7 (RFC 1035 4.1: the question echoed, one answer by pointer). */
    private static byte[] answerA(byte[] query) {
        byte[] reply = Arrays.copyOf(query, query.length + 16);
        reply[2] = (byte) 0x81;
        reply[3] = (byte) 0x80;
        Frames.put16(reply, 6, 1);
        Frames.put16(reply, 8, 0);
        Frames.put16(reply, 10, 0);
        int at = query.length;
        byte[] answer = {(byte) 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 8, 7};
        System.arraycopy(answer, 0, reply, at, answer.length);
        return reply;
    }

    private void type(String command) {
        machine.sendToSerial((command + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (serial) {
                if (serial.indexOf(text) >= 0) {
                    serial.delete(0, serial.indexOf(text) + text.length());
                    return;
                }
            }
            Thread.sleep(100);
        }
        synchronized (serial) {
            throw new AssertionError("'" + text + "' did not appear; serial ends with:\n"
                    + serial.substring(Math.max(0, serial.length() - 2000)));
        }
    }

    private void dhcp(String expectedAddress) throws Exception {
        type("udhcpc -i eth0 -s /tmp/dhcp.sh -n -q -t 10");
        try {
            await("LEASE-" + expectedAddress, COMMAND_TIMEOUT);
        } catch (AssertionError e) {
            type("cat /proc/interrupts; echo IRQS-LISTED");
            await("IRQS-LISTED", COMMAND_TIMEOUT);
            throw new AssertionError(e.getMessage() + "\n" + adapterState(), e);
        }
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
        Path iso;
        try {
            iso = LiveCdImage.ofUser().verified();
        } catch (GuestImageUnavailableException e) {
            assumeTrue(false, "no live CD: " + e.getMessage());
            return;
        }
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        assumeTrue(bios.toFile().isFile(), "no SeaBIOS (./vstation fetch-firmware)");
        RunOptions options = RunOptions.parse(List.of("--headless", "--iso", iso.toString(), "--nic", "nat",
                "--memory", "256"), bios);
        machine = VmLauncher.build("net-e2e", options);
        assumeTrue(machine.pciBus().function(1, 1) != null, "the IDE controller is not on this branch yet");
        machine.switchNetwork(new NatBackend("net-e2e", NatBackend.DEFAULT_NETWORK,
                (InetSocketAddress) resolver.getLocalSocketAddress(), List.of()));
        java.io.OutputStream log = java.nio.file.Files.newOutputStream(Path.of("target", "linux-guest-network-serial.txt"));
        machine.addSerialListener(b -> {
            synchronized (serial) {
                serial.append((char) b);
            }
            try {
                log.write(b);
                if (b == '\n') {
                    log.flush();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        machine.start();
        await("# ", BOOT_TIMEOUT);

        type("ip link set eth0 up && " + DHCP_SCRIPT);
        type("cat /proc/interrupts; echo IRQS-LISTED");
        await("IRQS-LISTED", COMMAND_TIMEOUT);
        dhcp("10.0.2.15");
        type("wget -q -O - http://10.0.2.2:" + http.getAddress().getPort() + "/");
        await("served-by-the-host-loopback", COMMAND_TIMEOUT);
        type("nslookup vstation.test");
        await("10.9.8.7", COMMAND_TIMEOUT);
        type("echo udp-exchange | nc -u -w 3 10.0.2.2 " + udpEcho.getLocalPort());
        await("UDP-EXCHANGE", COMMAND_TIMEOUT);

        // NAT -> host-only: the guest sees the link drop, then leases on 192.168.56.0/24 and
        // reaches the host endpoint but not the loopback server behind it.
        HostOnlyNetwork hostOnly = HostOnlyNetwork.named("net-e2e");
        machine.switchNetwork(hostOnly.connect("net-e2e"));
        await("link down", COMMAND_TIMEOUT);
        await("link up", COMMAND_TIMEOUT);
        dhcp("192.168.56.101");
        type("ping -c 1 192.168.56.1 && echo PING-HOST-OK");
        await("PING-HOST-OK", COMMAND_TIMEOUT);
        type("wget -q -T 5 -O - http://192.168.56.1:" + http.getAddress().getPort() + "/ || echo NO-ROUTE-TO-LOOPBACK");
        await("NO-ROUTE-TO-LOOPBACK", COMMAND_TIMEOUT);

        machine.switchNetwork(new NatBackend("net-e2e-2", NatBackend.DEFAULT_NETWORK,
                (InetSocketAddress) resolver.getLocalSocketAddress(), List.of()));
        await("link up", COMMAND_TIMEOUT);
        dhcp("10.0.2.15");
        type("wget -q -O - http://10.0.2.2:" + http.getAddress().getPort() + "/");
        await("served-by-the-host-loopback", COMMAND_TIMEOUT);
        assertTrue(machine.errorMessage() == null, "the VM kept running");
    }
}
