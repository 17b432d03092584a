package org.vstation.manager.net;

import static org.vstation.manager.net.Frames.TCP_ACK;
import static org.vstation.manager.net.Frames.TCP_FIN;
import static org.vstation.manager.net.Frames.TCP_PSH;
import static org.vstation.manager.net.Frames.TCP_RST;
import static org.vstation.manager.net.Frames.TCP_SYN;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.Frames.u8;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code vstation bench net}: guest-to-host TCP throughput through the NAT
 * gateway, with a guest played by raw frames (a minimal TCP sender: window-
 * limited, go-back-N on a 200 ms timeout) and a sink server on the host's
 * loopback reached at 10.0.2.2. Measures the gateway alone, without the
 * emulated NIC and CPU.
 */
public final class NatBenchmark {
    private static final byte[] GUEST_MAC = {0x02, 0x56, 0x53, 0x00, 0x00, (byte) 0xBE};
    private static final int GUEST = Frames.parseIp("10.0.2.15");
    private static final int GATEWAY = Frames.parseIp("10.0.2.2");
    private static final int GUEST_PORT = 43_210;
    private static final int MSS = 1460;
    private static final long RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private NatBenchmark() {
    }

    public static int run(String[] args, PrintStream out) {
        int megabytes = 64;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--megabytes") && i + 1 < args.length) {
                megabytes = Integer.parseInt(args[++i]);
            } else {
                out.println("usage: vstation bench net [--megabytes N]");
                return 2;
            }
        }
        try {
            double rate = measure((long) megabytes << 20);
            out.printf(Locale.ROOT, "net: guest-to-host TCP through NAT: %.1f MB/s (%d MiB)%n", rate, megabytes);
            return 0;
        } catch (IOException | RuntimeException e) {
            out.println("net benchmark failed: " + e.getMessage());
            return 1;
        }
    }

    /** Sends {@code total} bytes from the guest to a loopback sink; returns MB/s (10^6 bytes per second). */
    public static double measure(long total) throws IOException {
        ArrayBlockingQueue<byte[]> toGuest = new ArrayBlockingQueue<>(1024);
        try (ServerSocket sink = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NatBackend nat = new NatBackend("bench", NatBackend.DEFAULT_NETWORK,
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 53), List.of())) {
            nat.attach(toGuest::offer);
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
                try (Socket s = sink.accept(); InputStream in = s.getInputStream()) {
                    byte[] buffer = new byte[1 << 16];
                    long count = 0;
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        count += n;
                    }
                    return count;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            new Sender(nat, toGuest, sink.getLocalPort()).send(total);
            long received = drained.join();
            long elapsed = System.nanoTime() - start;
            if (received != total) {
                throw new IllegalStateException("the host received " + received + " of " + total + " bytes");
            }
            return total / (elapsed / 1e9) / 1e6;
        }
    }

    /** The guest's side of one connection, just enough TCP to push data. */
    private static final class Sender {
        private final NatBackend nat;
        private final ArrayBlockingQueue<byte[]> fromGateway;
        private final int port;
        private final byte[] payload = new byte[MSS];
        private int initialSequence = 1_000;
        private int peerSequence;
        private long acknowledged;
        private long sent;
        private int window = MSS;
        private long lastProgress = System.nanoTime();

        Sender(NatBackend nat, ArrayBlockingQueue<byte[]> fromGateway, int port) {
            this.nat = nat;
            this.fromGateway = fromGateway;
            this.port = port;
        }

        private void segment(int sequence, int flags, int length) {
            byte[] frame = Frames.tcp(NatBackend.GATEWAY_MAC, GUEST_MAC, GUEST, GUEST_PORT, GATEWAY, port, sequence,
                    peerSequence, flags, 65535, (flags & TCP_SYN) != 0 ? MSS : 0, payload, 0, length);
            nat.transmit(frame, frame.length);
        }

        void send(long total) {
            segment(initialSequence, TCP_SYN, 0);
            byte[] synAck = await(f -> (u8(f, 47) & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK));
            peerSequence = u32(synAck, 38) + 1;
            int base = initialSequence + 1;
            segment(base, TCP_ACK, 0);
            while (acknowledged < total) {
                while (sent < total && sent - acknowledged + MSS <= window) {
                    int length = (int) Math.min(MSS, total - sent);
                    segment(base + (int) sent, TCP_ACK | TCP_PSH, length);
                    sent += length;
                }
                byte[] ack = poll();
                if (ack != null) {
                    long advanced = Integer.toUnsignedLong(u32(ack, 42) - base - (int) acknowledged);
                    if (advanced > 0 && advanced <= sent - acknowledged) {
                        acknowledged += advanced;
                        lastProgress = System.nanoTime();
                    }
                    window = u16(ack, 48);
                } else if (System.nanoTime() - lastProgress > RTO_NANOS) {
                    sent = acknowledged; // go back N
                    lastProgress = System.nanoTime();
                }
            }
            segment(base + (int) total, TCP_FIN | TCP_ACK, 0);
            await(f -> Integer.toUnsignedLong(u32(f, 42) - base) == total + 1);
        }

        private byte[] poll() {
            try {
                while (true) {
                    byte[] frame = fromGateway.poll(RTO_NANOS, TimeUnit.NANOSECONDS);
                    if (frame == null) {
                        return null;
                    }
                    if (isTcpForUs(frame)) {
                        if ((u8(frame, 47) & TCP_RST) != 0) {
                            throw new IllegalStateException("the gateway reset the connection");
                        }
                        return frame;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }

        private byte[] await(java.util.function.Predicate<byte[]> match) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                byte[] frame = poll();
                if (frame != null && match.test(frame)) {
                    return frame;
                }
            }
            throw new IllegalStateException("the gateway did not answer");
        }

        private static boolean isTcpForUs(byte[] f) {
            return f.length >= 54 && u16(f, 12) == Frames.ETHERTYPE_IPV4 && u8(f, 23) == Frames.PROTOCOL_TCP
                    && u16(f, 36) == GUEST_PORT;
        }
    }
}
