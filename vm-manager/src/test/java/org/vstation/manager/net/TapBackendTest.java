package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.GuestWire.isIpv4;
import static org.vstation.manager.net.NatBackendTest.arpRequest;
import static org.vstation.manager.net.NatBackendTest.isArpReplyFrom;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bridged adapter on a bridge with a peer, all inside network namespaces
 * this test creates (root only): the host's own interfaces are never touched.
 */
class TapBackendTest {
    private static final String SUFFIX = Long.toString(ProcessHandle.current().pid());
    private static final String BRIDGE_NS = "vst-br-" + SUFFIX;
    private static final String PEER_NS = "vst-peer-" + SUFFIX;
    private static final byte[] GUEST_MAC = {0x02, 0x56, 0x53, 0x00, 0x0D, 0x01};
    private static final int GUEST = Frames.parseIp("192.168.99.1");
    private static final int PEER = Frames.parseIp("192.168.99.2");
    private static final int CLONE_NEWNET = 0x40000000;

    private static boolean available;

    @BeforeAll
    static void createNamespaces() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        assumeTrue(root && ip && Files.exists(Path.of("/dev/net/tun")),
                "needs root, the ip tool and /dev/net/tun (bridged test runs in CI as root)");
        run("ip", "netns", "add", BRIDGE_NS);
        run("ip", "netns", "add", PEER_NS);
        available = true;
        run("ip", "-n", BRIDGE_NS, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", BRIDGE_NS, "link", "set", "br0", "up");
        run("ip", "-n", BRIDGE_NS, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", PEER_NS);
        run("ip", "-n", BRIDGE_NS, "link", "set", "veth0", "master", "br0", "up");
        run("ip", "-n", PEER_NS, "addr", "add", "192.168.99.2/24", "dev", "veth1");
        run("ip", "-n", PEER_NS, "link", "set", "veth1", "up");
        run("ip", "-n", BRIDGE_NS, "link", "add", "plain0", "type", "veth", "peer", "name", "plain1");
    }

    @AfterAll
    static void deleteNamespaces() throws Exception {
        if (available) {
            run("ip", "netns", "del", BRIDGE_NS);
            run("ip", "netns", "del", PEER_NS);
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed: " + output);
    }

    /** Runs {@code action} on this thread inside the namespace, then returns to the thread's own (setns(2)). */
    private static <T> T inNamespace(String namespace, Callable<T> action) throws Exception {
        Linker linker = Linker.nativeLinker();
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int ownFd = (int) open.invokeExact(arena.allocateFrom("/proc/thread-self/ns/net"), 0);
            int targetFd = (int) open.invokeExact(arena.allocateFrom("/run/netns/" + namespace), 0);
            assertTrue(ownFd >= 0 && targetFd >= 0, "namespace files open");
            try {
                assertEquals(0, (int) setns.invokeExact(targetFd, CLONE_NEWNET), "setns into " + namespace);
                try {
                    return action.call();
                } finally {
                    assertEquals(0, (int) setns.invokeExact(ownFd, CLONE_NEWNET), "setns back");
                }
            } finally {
                int closedOwn = (int) close.invokeExact(ownFd);
                int closedTarget = (int) close.invokeExact(targetFd);
            }
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void guestTalksToAPeerOnTheSameBridge() throws Exception {
        TapBackend tap = inNamespace(BRIDGE_NS, () -> TapBackend.open("br0", null));
        try {
            GuestWire guest = new GuestWire(tap, GUEST_MAC, GUEST);
            byte[] reply = null;
            for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
                guest.send(arpRequest(GUEST_MAC, GUEST, PEER)); // the bridge port may still be learning
                try {
                    reply = guest.expect("the peer's ARP reply", f -> isArpReplyFrom(f, PEER));
                } catch (AssertionError e) {
                    reply = null;
                }
            }
            assertTrue(reply != null, "the peer answered ARP through the bridge");
            byte[] peerMac = Frames.mac(reply, 22);
            byte[] echo = Frames.ipv4(peerMac, GUEST_MAC, GUEST, PEER, Frames.PROTOCOL_ICMP, 8 + 4, 1);
            echo[34] = 8;
            Frames.put16(echo, 40, 3);
            Frames.put16(echo, 36, Frames.checksum(echo, 34, 12, 0));
            guest.send(echo);
            byte[] pong = guest.expect("echo reply from the peer",
                    f -> isIpv4(f, Frames.PROTOCOL_ICMP) && f[34] == 0 && u32(f, 26) == PEER);
            assertEquals(3, u16(pong, 40));
        } finally {
            tap.close();
        }
    }

    @Test
    void missingBridgeIsAClearError() throws Exception {
        BridgedNetworkException missing = assertThrows(BridgedNetworkException.class,
                () -> inNamespace(BRIDGE_NS, () -> TapBackend.open("nobridge0", null)));
        assertTrue(missing.getMessage().contains("ip link add nobridge0 type bridge"), missing.getMessage());
        BridgedNetworkException notBridge = assertThrows(BridgedNetworkException.class,
                () -> inNamespace(BRIDGE_NS, () -> TapBackend.open("plain0", null)));
        assertTrue(notBridge.getMessage().contains("not a bridge"), notBridge.getMessage());
        assertTrue(List.of(missing, notBridge).stream().noneMatch(e -> e.getMessage().contains("errno")));
    }
}
