package org.vstation.manager.runner;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.devices.Machine;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.net.HostOnlyNetwork;

/** {@code --forward} and {@code --host-service} reach the backend the launcher builds, and leave with the VM. */
class VmLauncherNetworkTest {
    @TempDir
    Path dir;
    private Path bios;

    /** A BIOS of HLT instructions (the CPU halts at the reset vector) and a bare VGA option ROM beside it. */
    @BeforeEach
    void firmware() throws IOException {
        byte[] halt = new byte[0x10000];
        Arrays.fill(halt, (byte) 0xF4);
        bios = Files.write(dir.resolve("bios.bin"), halt);
        Files.write(dir.resolve(FirmwareCache.VGA_BIOS), new byte[] {0x55, (byte) 0xAA, 1, (byte) 0xCB});
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void powerOff(Machine machine) throws InterruptedException {
        machine.start();
        machine.powerOff();
        assertTrue(machine.awaitTermination(30, TimeUnit.SECONDS));
    }

    @Test
    void aNatForwardListensWhileTheVmRuns() throws Exception {
        int port = freePort();
        Machine machine = VmLauncher.build("forwarded", RunOptions.parse(List.of("--headless", "--bios", bios.toString(),
                "--nic", "nat", "--forward", "tcp:" + port + ":22"), null));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertTrue(client.isConnected());
        }
        powerOff(machine);
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
    }

    @Test
    void aBusyForwardPortIsAUsageError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            UsageException error = assertThrows(UsageException.class, () -> VmLauncher.build("busy",
                    RunOptions.parse(List.of("--headless", "--bios", bios.toString(), "--nic", "nat",
                            "--forward", "tcp:" + taken.getLocalPort() + ":80"), null)));
            assertTrue(error.getMessage().startsWith("--forward: ") && error.getMessage().contains(
                    "cannot listen on 127.0.0.1:" + taken.getLocalPort()), error.getMessage());
        }
    }

    @Test
    void aHostServiceIsOpenWhileTheVmIsOnTheHostOnlyNetwork() throws Exception {
        int port = freePort();
        HostOnlyNetwork network = HostOnlyNetwork.named(HostOnlyNetwork.DEFAULT_NAME);
        Machine machine = VmLauncher.build("served", RunOptions.parse(List.of("--headless", "--bios", bios.toString(),
                "--nic", "hostonly", "--host-service", Integer.toString(port)), null));
        assertTrue(network.isHostService(port));
        powerOff(machine);
        assertFalse(network.isHostService(port));
    }
}
