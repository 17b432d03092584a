package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 Done-when 3 with two real guests: two live-CD VMs in one process on
 * one host-only network lease from its DHCP server, ping each other and talk
 * with busybox {@code nc}; the host's loopback HTTP server is out of their
 * reach until it is opened as a host service at 192.168.56.1; and once one of
 * them is switched to NAT it cannot see the other, while a NAT port forward
 * carries a host connection to it.
 */
@Tag("slow")
class HostOnlyTwoGuestsTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(40);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private HttpServer http;
    private HostOnlyNetwork network;
    private GuestShell alice;
    private GuestShell bob;

    @BeforeEach
    void startHostServer() throws Exception {
        http = LoopbackWebServer.start();
        network = HostOnlyNetwork.standalone("two-guests", HostOnlyNetwork.DEFAULT_SUBNET);
    }

    @AfterEach
    void stop() throws Exception {
        for (GuestShell guest : new GuestShell[] {alice, bob}) {
            if (guest != null) {
                guest.close();
            }
        }
        network.close();
        http.stop(0);
    }

    @Test
    void twoGuestsShareTheHostOnlyNetworkAndNatCannotSeeIt() throws Exception {
        Path iso = GuestShell.liveCd();
        assumeTrue(iso != null, "no live CD or SeaBIOS in the cache (guest-images/build-debian-live, fetch-firmware)");
        int httpPort = http.getAddress().getPort();
        alice = GuestShell.build("hostonly-alice", iso, "02:56:53:00:11:0a");
        bob = GuestShell.build("hostonly-bob", iso, "02:56:53:00:11:0b");
        alice.machine().switchNetwork(network.connect("alice"));
        bob.machine().switchNetwork(network.connect("bob"));
        alice.machine().start();
        bob.machine().start();
        alice.await("# ", BOOT_TIMEOUT);
        bob.await("# ", BOOT_TIMEOUT);

        // Leases from the network's DHCP server, one address each.
        String aliceAddress = alice.dhcp(COMMAND_TIMEOUT);
        String bobAddress = bob.dhcp(COMMAND_TIMEOUT);
        assertTrue(aliceAddress.startsWith("192.168.56.") && bobAddress.startsWith("192.168.56."),
                aliceAddress + ", " + bobAddress);
        assertNotEquals(aliceAddress, bobAddress);

        // Ping both ways ($((...)) makes the awaited text differ from the echoed command line).
        alice.type("ping -c 2 " + bobAddress + " && echo PING-BOB-$((40+2))");
        alice.await("PING-BOB-42", COMMAND_TIMEOUT);
        bob.type("ping -c 2 " + aliceAddress + " && echo PING-ALICE-$((40+2))");
        bob.await("PING-ALICE-42", COMMAND_TIMEOUT);

        // Data both ways over TCP with nc: bob listens, alice connects (retrying until bob's nc is up).
        bob.type("echo reply-from-bob-$((6*7)) | nc -l -p 5000");
        alice.type("for i in 1 2 3 4 5 6 7 8 9 10; do echo hello-from-alice-$((6*7)) | nc -w 5 " + bobAddress
                + " 5000 && break; sleep 2; done");
        bob.await("hello-from-alice-42", COMMAND_TIMEOUT);
        alice.await("reply-from-bob-42", COMMAND_TIMEOUT);

        // The host's loopback: not at the host endpoint, not at NAT's gateway address (no route)...
        alice.type("wget -q -O - http://192.168.56.1:" + httpPort + "/ || echo REFUSED-$((40+3))");
        alice.await("REFUSED-43", COMMAND_TIMEOUT);
        alice.type("wget -q -O - http://10.0.2.2:" + httpPort + "/ || echo NO-ROUTE-$((40+4))");
        alice.await("NO-ROUTE-44", COMMAND_TIMEOUT);
        // ...until the host opens the port as a host service on 192.168.56.1.
        try (HostOnlyNetwork.HostService service = network.forwardHostPort(httpPort)) {
            bob.type("wget -q -O - http://192.168.56.1:" + httpPort + "/");
            bob.await("served-by-the-host-loopback", COMMAND_TIMEOUT);
        }

        // Bob moves to NAT with a forward of a host port to his port 6000.
        NatBackend nat = new NatBackend("hostonly-bob-nat", NatBackend.DEFAULT_NETWORK, NatBackend.hostResolver(),
                List.of(new PortForward("127.0.0.1", 0, 6000)));
        bob.machine().switchNetwork(nat);
        bob.await("link up", COMMAND_TIMEOUT);
        assertEquals("10.0.2.15", bob.dhcp(COMMAND_TIMEOUT));
        bob.type("wget -q -O - http://10.0.2.2:" + httpPort + "/");
        bob.await("served-by-the-host-loopback", COMMAND_TIMEOUT);

        // From NAT, alice's network is out of sight: no ping, and TCP to her address leaves through
        // the host's own sockets (a CI host's proxy may even answer it), never reaching her listener.
        alice.type("nc -l -p 5001 < /dev/null > /tmp/leak &");
        bob.type("ping -c 2 -W 3 " + aliceAddress + " || echo NO-PING-$((40+5))");
        bob.await("NO-PING-45", COMMAND_TIMEOUT);
        bob.type("echo leak-$((6*7)) | nc -w 5 " + aliceAddress + " 5001; echo SENT-$((40+6))");
        bob.await("SENT-46", COMMAND_TIMEOUT);
        alice.type("cat /tmp/leak; echo CHECKED-$((40+8))");
        String aliceHeard = alice.awaitMatch(Pattern.compile("(?s)(.*)CHECKED-48"), COMMAND_TIMEOUT);
        assertFalse(aliceHeard.contains("leak-42"), "bob's data reached alice from NAT: " + aliceHeard);
        // And bob's old host-only address is gone from alice's network.
        alice.type("ping -c 2 -W 3 " + bobAddress + " || echo BOB-GONE-$((40+7))");
        alice.await("BOB-GONE-47", COMMAND_TIMEOUT);

        // The NAT forward is the way in: the host connects to its port and reaches bob's nc.
        bob.type("echo forwarded-to-bob-$((6*7)) | nc -l -p 6000");
        int forwardPort = nat.gateway().forwardAddresses().getFirst().getPort();
        String greeting = CompletableFuture.supplyAsync(() -> exchangeThroughForward(forwardPort))
                .get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("forwarded-to-bob-42", greeting);
        bob.await("from-the-host-42", COMMAND_TIMEOUT);

        assertNull(alice.machine().errorMessage(), "alice kept running");
        assertNull(bob.machine().errorMessage(), "bob kept running");
    }

    /** Connects to the forward (retrying until the guest's nc listens), reads its line and answers. */
    private static String exchangeThroughForward(int port) {
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (true) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write("from-the-host-42\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                if (line != null) {
                    return line;
                }
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
