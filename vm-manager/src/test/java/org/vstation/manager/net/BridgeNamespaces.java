package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A bridge with a peer, in two network namespaces a test creates (root only),
 * so bridged tests never touch the host's own interfaces: namespace
 * {@code vst-br-<tag>} holds bridge {@code br0} (and {@code plain0}, a veth that
 * is not a bridge); namespace {@code vst-peer-<tag>} holds the peer, 192.168.99.2/24,
 * on a veth whose other end is a port of br0.
 */
final class BridgeNamespaces implements AutoCloseable {
    static final String PEER_ADDRESS = "192.168.99.2";
    private static final int CLONE_NEWNET = 0x40000000;

    private final String bridgeNamespace;
    private final String peerNamespace;

    private BridgeNamespaces(String tag) {
        this.bridgeNamespace = "vst-br-" + tag;
        this.peerNamespace = "vst-peer-" + tag;
    }

    /** True when this process may create namespaces and TAP devices. */
    static boolean available() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        return root && ip && Files.exists(Path.of("/dev/net/tun"));
    }

    static BridgeNamespaces create(String tag) throws Exception {
        BridgeNamespaces namespaces = new BridgeNamespaces(tag);
        String br = namespaces.bridgeNamespace;
        String peer = namespaces.peerNamespace;
        run("ip", "netns", "add", br);
        try {
            run("ip", "netns", "add", peer);
            run("ip", "-n", br, "link", "add", "br0", "type", "bridge");
            run("ip", "-n", br, "link", "set", "br0", "up");
            run("ip", "-n", br, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", peer);
            run("ip", "-n", br, "link", "set", "veth0", "master", "br0", "up");
            run("ip", "-n", peer, "addr", "add", PEER_ADDRESS + "/24", "dev", "veth1");
            run("ip", "-n", peer, "link", "set", "veth1", "up");
            run("ip", "-n", br, "link", "add", "plain0", "type", "veth", "peer", "name", "plain1");
        } catch (Exception | Error e) {
            namespaces.close();
            throw e;
        }
        return namespaces;
    }

    @Override
    public void close() throws Exception {
        new ProcessBuilder("ip", "netns", "del", peerNamespace).start().waitFor(10, TimeUnit.SECONDS);
        run("ip", "netns", "del", bridgeNamespace);
    }

    /** Runs {@code action} in the bridge's namespace (a TAP opened there joins br0). */
    <T> T inBridgeNamespace(Callable<T> action) throws Exception {
        return inNamespace(bridgeNamespace, action);
    }

    /** Runs {@code action} in the peer's namespace (sockets it creates live there). */
    <T> T inPeerNamespace(Callable<T> action) throws Exception {
        return inNamespace(peerNamespace, action);
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
}
