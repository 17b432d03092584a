package org.vstation.manager.net;

import static org.vstation.manager.net.Frames.ETHERNET_HEADER;
import static org.vstation.manager.net.Frames.PROTOCOL_ICMP;
import static org.vstation.manager.net.Frames.PROTOCOL_TCP;
import static org.vstation.manager.net.Frames.PROTOCOL_UDP;
import static org.vstation.manager.net.Frames.put16;
import static org.vstation.manager.net.Frames.put32;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.Frames.u8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user-mode TCP/IP gateway: the far end of a virtual cable that answers
 * ARP, ICMP echo and DHCP for its own addresses, relays DNS, and carries the
 * guest's TCP connections and UDP flows onto host sockets as its
 * {@link GatewayPolicy} allows. It never needs privileges: the host sees
 * ordinary sockets of this process.
 *
 * <p>One selector thread does everything. Frames from the guest arrive on a
 * bounded queue (a full queue drops them, as a congested link would); frames
 * for the guest go to the {@link FrameSink}, which is bounded too. Malformed
 * frames are counted and dropped, never thrown.
 */
public final class UserModeGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UserModeGateway.class);

    /** Where the gateway's frames for the guest go; returns false when they had to be dropped. */
    @FunctionalInterface
    public interface FrameSink {
        boolean deliver(byte[] frame);
    }

    private static final int QUEUE_FRAMES = 1024;
    private static final int MAX_TCP_CONNECTIONS = 512;
    private static final int MAX_UDP_FLOWS = 256;
    private static final long UDP_IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long TIMER_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int PING_THREADS = 4;
    private static final int PING_QUEUE = 32;
    private static final int PING_TIMEOUT_MILLIS = 2000;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ARP_REQUEST = 1;
    private static final int ARP_REPLY = 2;

    private final GatewayConfig config;
    private final DhcpServer dhcp;
    private final Selector selector;
    private final ArrayBlockingQueue<byte[]> fromGuest = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile FrameSink sink = frame -> false;

    /** Guest IPv4 address to MAC, learned from the guest's own frames. */
    private final Map<Integer, byte[]> neighbours = new HashMap<>();
    private final Map<FlowKey, TcpConnection> tcpConnections = new HashMap<>();
    private final LinkedHashMap<FlowKey, UdpFlow> udpFlows = new LinkedHashMap<>(16, 0.75f, true);
    private final List<ServerSocketChannel> forwardListeners = new ArrayList<>();
    private final List<InetSocketAddress> forwardAddresses = new ArrayList<>();
    private int nextForwardPort = 40_000;
    private int ipIdentification;
    private long nextTimerSweep;

    private final ConcurrentLinkedQueue<Runnable> gatewayTasks = new ConcurrentLinkedQueue<>();
    private final ThreadPoolExecutor pingPool = new ThreadPoolExecutor(0, PING_THREADS, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(PING_QUEUE), Thread.ofVirtual().name("ping-", 0).factory());

    private final AtomicLong malformedFrames = new AtomicLong();
    private final AtomicLong droppedFrames = new AtomicLong();
    private final AtomicLong fragmentsDropped = new AtomicLong();

    private record UdpFlow(FlowKey key, DatagramChannel channel, long[] lastUsed) { }

    public UserModeGateway(GatewayConfig config) {
        this.config = config;
        this.dhcp = new DhcpServer(config.gatewayAddress(), config.subnetMask(), config.router(),
                config.dnsAddress(), config.firstGuestAddress(), config.guestPoolSize(), config.leaseSeconds());
        try {
            this.selector = Selector.open();
            for (PortForward forward : config.forwards()) {
                ServerSocketChannel listener = ServerSocketChannel.open();
                forwardListeners.add(listener);
                try {
                    listener.bind(new InetSocketAddress(forward.bindAddress(), forward.hostPort()));
                } catch (IOException e) {
                    throw new IOException("cannot listen on " + forward.bindAddress() + ":" + forward.hostPort()
                            + " for the forward to guest port " + forward.guestPort() + " (" + e.getMessage() + ")", e);
                }
                listener.configureBlocking(false);
                listener.register(selector, SelectionKey.OP_ACCEPT, forward);
                forwardAddresses.add((InetSocketAddress) listener.getLocalAddress());
            }
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException(config.name() + ": cannot set up the gateway: " + e.getMessage(), e);
        }
        thread = Thread.ofPlatform().daemon(true).name("net-" + config.name()).start(this::run);
    }

    public GatewayConfig config() {
        return config;
    }

    /** Where inbound forwards listen (their ports, when the configuration asked for port 0). */
    public List<InetSocketAddress> forwardAddresses() {
        return List.copyOf(forwardAddresses);
    }

    public void connect(FrameSink guest) {
        sink = guest;
    }

    /** A frame from the guest; never blocks. Returns false if the queue was full and it was dropped. */
    public boolean receiveFromGuest(byte[] frame, int length) {
        boolean queued = fromGuest.offer(length == frame.length ? frame : Arrays.copyOf(frame, length));
        if (!queued) {
            droppedFrames.incrementAndGet();
        } else if (wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
        return queued;
    }

    public long malformedFrames() {
        return malformedFrames.get();
    }

    public long droppedFrames() {
        return droppedFrames.get();
    }

    public long fragmentsDropped() {
        return fragmentsDropped.get();
    }

    /** The address DHCP gave the guest with this MAC, or 0 (read on the gateway thread; for tests and status). */
    public int leaseOf(byte[] mac) {
        synchronized (dhcp) {
            return dhcp.leaseOf(mac);
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the selector thread -----------------------------------------------------------------

    private void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTimerSweep - now));
                selector.select(tcpConnections.isEmpty() ? 1000 : wait);
                wakeupPending.set(false);
                byte[] frame;
                while ((frame = fromGuest.poll()) != null) {
                    handleGuestFrame(frame);
                }
                Runnable task;
                while ((task = gatewayTasks.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handleHostEvent(key);
                }
                now = System.nanoTime();
                if (now - nextTimerSweep >= 0) {
                    nextTimerSweep = now + TIMER_PERIOD_NANOS;
                    sweepTimers(now);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("{}: gateway thread failed", config.name(), e);
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        pingPool.shutdownNow();
        for (TcpConnection connection : List.copyOf(tcpConnections.values())) {
            connection.abortHostSide();
        }
        tcpConnections.clear();
        for (UdpFlow flow : udpFlows.values()) {
            closeChannel(flow.channel());
        }
        udpFlows.clear();
        for (ServerSocketChannel listener : forwardListeners) {
            closeChannel(listener);
        }
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("{}: closing selector", config.name(), e);
            }
        }
    }

    static void closeChannel(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {}", channel, e);
        }
    }

    private void sweepTimers(long now) {
        for (TcpConnection connection : List.copyOf(tcpConnections.values())) {
            connection.onTimer(now);
        }
        udpFlows.values().removeIf(flow -> {
            boolean idle = now - flow.lastUsed()[0] > UDP_IDLE_NANOS;
            if (idle) {
                closeChannel(flow.channel());
            }
            return idle;
        });
    }

    private void handleHostEvent(SelectionKey key) {
        try {
            if (!key.isValid()) {
                return;
            }
            Object attachment = key.attachment();
            if (attachment instanceof TcpConnection connection) {
                connection.onHostEvent(key);
            } else if (attachment instanceof UdpFlow flow) {
                receiveUdpFromHost(flow);
            } else if (attachment instanceof PortForward forward) {
                acceptForward((ServerSocketChannel) key.channel(), forward);
            }
        } catch (CancelledKeyException e) {
            log.debug("{}: key cancelled", config.name());
        }
    }

    // ---- frames from the guest ---------------------------------------------------------------

    private void handleGuestFrame(byte[] frame) {
        try {
            if (frame.length < ETHERNET_HEADER) {
                malformedFrames.incrementAndGet();
                return;
            }
            boolean forUs = Frames.isGroup(frame, 0) || Arrays.equals(frame, 0, 6, config.gatewayMac(), 0, 6);
            if (!forUs) {
                return; // another station's unicast (a switch flooded it)
            }
            switch (u16(frame, 12)) {
                case Frames.ETHERTYPE_ARP -> handleArp(frame);
                case Frames.ETHERTYPE_IPV4 -> handleIpv4(frame);
                default -> { } // IPv6 and the rest: not spoken here
            }
        } catch (RuntimeException e) {
            // A bug-proof net under the parser: a frame must never stop the gateway.
            malformedFrames.incrementAndGet();
            log.debug("{}: frame dropped", config.name(), e);
        }
    }

    private void handleArp(byte[] frame) {
        int arp = ETHERNET_HEADER;
        if (frame.length < arp + 28 || u16(frame, arp) != 1 || u16(frame, arp + 2) != Frames.ETHERTYPE_IPV4
                || u8(frame, arp + 4) != 6 || u8(frame, arp + 5) != 4) {
            malformedFrames.incrementAndGet();
            return;
        }
        int operation = u16(frame, arp + 6);
        byte[] senderMac = Frames.mac(frame, arp + 8);
        int senderIp = u32(frame, arp + 14);
        int targetIp = u32(frame, arp + 24);
        if (senderIp != 0 && config.inSubnet(senderIp) && !Frames.isGroup(senderMac, 0)) {
            learn(senderIp, senderMac);
        }
        if (operation == ARP_REQUEST && config.owns(targetIp)) {
            byte[] reply = Frames.ethernet(senderMac, config.gatewayMac(), Frames.ETHERTYPE_ARP, 28);
            put16(reply, arp, 1);
            put16(reply, arp + 2, Frames.ETHERTYPE_IPV4);
            reply[arp + 4] = 6;
            reply[arp + 5] = 4;
            put16(reply, arp + 6, ARP_REPLY);
            System.arraycopy(config.gatewayMac(), 0, reply, arp + 8, 6);
            put32(reply, arp + 14, targetIp);
            System.arraycopy(senderMac, 0, reply, arp + 18, 6);
            put32(reply, arp + 24, senderIp);
            send(reply);
        }
    }

    private void learn(int address, byte[] mac) {
        byte[] known = neighbours.get(address);
        if (known == null || !Arrays.equals(known, mac)) {
            if (known == null && neighbours.size() >= 1024) {
                neighbours.clear(); // a guest forging addresses cannot grow the table without bound
            }
            neighbours.put(address, mac);
        }
    }

    private void handleIpv4(byte[] frame) {
        int ip = ETHERNET_HEADER;
        if (frame.length < ip + Frames.IPV4_HEADER) {
            malformedFrames.incrementAndGet();
            return;
        }
        int version = u8(frame, ip) >>> 4;
        int headerLength = (u8(frame, ip) & 0xF) * 4;
        int totalLength = u16(frame, ip + 2);
        if (version != 4 || headerLength < Frames.IPV4_HEADER || totalLength < headerLength
                || ip + totalLength > frame.length || Frames.checksum(frame, ip, headerLength, 0) != 0) {
            malformedFrames.incrementAndGet();
            return;
        }
        int fragment = u16(frame, ip + 6);
        if ((fragment & 0x2000) != 0 || (fragment & 0x1FFF) != 0) {
            fragmentsDropped.incrementAndGet(); // no reassembly: guests set DF and use a 1500-byte MTU
            return;
        }
        int protocol = u8(frame, ip + 9);
        int source = u32(frame, ip + 12);
        int destination = u32(frame, ip + 16);
        byte[] sourceMac = Frames.mac(frame, 6);
        if (source != 0 && config.inSubnet(source)) {
            learn(source, sourceMac);
        }
        int payload = ip + headerLength;
        int payloadLength = totalLength - headerLength;
        switch (protocol) {
            case PROTOCOL_UDP -> handleUdp(frame, source, destination, payload, payloadLength, sourceMac);
            case PROTOCOL_TCP -> handleTcp(frame, source, destination, payload, payloadLength);
            case PROTOCOL_ICMP -> handleIcmp(frame, source, destination, payload, payloadLength);
            default -> { }
        }
    }

    private void handleIcmp(byte[] frame, int source, int destination, int at, int length) {
        if (length < 8 || Frames.checksum(frame, at, length, 0) != 0) {
            malformedFrames.incrementAndGet();
            return;
        }
        if (u8(frame, at) != ICMP_ECHO_REQUEST) {
            return;
        }
        if (config.owns(destination)) {
            answerEcho(frame, source, destination, at, length);
        } else if (config.policy().hostEndpoint(PROTOCOL_ICMP, destination, 0) != null) {
            pingFromHost(frame, source, destination, at, length);
        }
    }

    /**
     * Echo to the outside: the host pings with what it is allowed to
     * ({@link InetAddress#isReachable}: ICMP where the host permits it, else a
     * TCP probe of the echo port), on a small bounded pool; the guest gets its
     * reply only if the destination answered.
     */
    private void pingFromHost(byte[] frame, int source, int destination, int at, int length) {
        byte[] request = Arrays.copyOf(frame, frame.length);
        try {
            pingPool.execute(() -> {
                boolean reachable;
                try {
                    reachable = InetAddress.getByAddress(new byte[] {(byte) (destination >>> 24),
                            (byte) (destination >>> 16), (byte) (destination >>> 8), (byte) destination})
                            .isReachable(PING_TIMEOUT_MILLIS);
                } catch (IOException e) {
                    reachable = false;
                }
                if (reachable && running) {
                    gatewayTasks.add(() -> answerEcho(request, source, destination, at, length));
                    selector.wakeup();
                }
            });
        } catch (RejectedExecutionException e) {
            droppedFrames.incrementAndGet(); // more pings in flight than the pool takes
        }
    }

    private void answerEcho(byte[] frame, int source, int destination, int at, int length) {
        byte[] reply = ipFrame(source, destination, PROTOCOL_ICMP, length);
        if (reply == null) {
            return;
        }
        int icmp = ETHERNET_HEADER + Frames.IPV4_HEADER;
        System.arraycopy(frame, at, reply, icmp, length);
        reply[icmp] = ICMP_ECHO_REPLY;
        put16(reply, icmp + 2, 0);
        put16(reply, icmp + 2, Frames.checksum(reply, icmp, length, 0));
        send(reply);
    }

    /** An IPv4 frame from {@code source} to the guest at {@code guest}; null when the guest's MAC is unknown. */
    private byte[] ipFrame(int guest, int source, int protocol, int payloadLength) {
        byte[] mac = neighbours.get(guest);
        if (mac == null) {
            return null;
        }
        return Frames.ipv4(mac, config.gatewayMac(), source, guest, protocol, payloadLength, ipIdentification++);
    }

    // ---- UDP: DHCP, DNS relay, flows -------------------------------------------------------

    private void handleUdp(byte[] frame, int source, int destination, int at, int length, byte[] sourceMac) {
        if (length < Frames.UDP_HEADER || u16(frame, at + 4) < Frames.UDP_HEADER || u16(frame, at + 4) > length) {
            malformedFrames.incrementAndGet();
            return;
        }
        int udpLength = u16(frame, at + 4);
        int sum = u16(frame, at + 6);
        if (sum != 0 && Frames.checksum(frame, at, udpLength,
                Frames.pseudoHeaderSum(source, destination, PROTOCOL_UDP, udpLength)) != 0) {
            malformedFrames.incrementAndGet();
            return;
        }
        int sourcePort = u16(frame, at);
        int destinationPort = u16(frame, at + 2);
        int data = at + Frames.UDP_HEADER;
        int dataLength = udpLength - Frames.UDP_HEADER;
        if (destinationPort == DhcpServer.SERVER_PORT
                && (destination == 0xFFFFFFFF || destination == config.gatewayAddress())) {
            DhcpServer.Reply reply;
            synchronized (dhcp) {
                reply = dhcp.handle(frame, data, dataLength);
            }
            if (reply != null) {
                int to = reply.destination();
                send(Frames.udp(reply.destinationMac(), config.gatewayMac(), config.gatewayAddress(),
                        DhcpServer.SERVER_PORT, to, DhcpServer.CLIENT_PORT, reply.payload(), 0, reply.payload().length));
            }
            return;
        }
        if (destination == 0xFFFFFFFF || (destination >>> 28) == 0xE || !config.inSubnet(source)) {
            return; // broadcasts and multicast stay on the subnet
        }
        FlowKey key = new FlowKey(source, sourcePort, destination, destinationPort);
        UdpFlow flow = udpFlows.get(key);
        if (flow == null) {
            InetSocketAddress endpoint = config.policy().hostEndpoint(PROTOCOL_UDP, destination, destinationPort);
            if (endpoint == null) {
                return;
            }
            flow = openUdpFlow(key, endpoint);
            if (flow == null) {
                return;
            }
        }
        flow.lastUsed()[0] = System.nanoTime();
        try {
            flow.channel().write(ByteBuffer.wrap(frame, data, dataLength));
        } catch (IOException e) {
            log.debug("{}: UDP to host failed for {}", config.name(), key, e);
        }
    }

    private UdpFlow openUdpFlow(FlowKey key, InetSocketAddress endpoint) {
        if (udpFlows.size() >= MAX_UDP_FLOWS) {
            Iterator<UdpFlow> eldest = udpFlows.values().iterator();
            closeChannel(eldest.next().channel());
            eldest.remove();
        }
        try {
            DatagramChannel channel = DatagramChannel.open();
            channel.configureBlocking(false);
            channel.connect(endpoint);
            UdpFlow flow = new UdpFlow(key, channel, new long[] {System.nanoTime()});
            channel.register(selector, SelectionKey.OP_READ, flow);
            udpFlows.put(key, flow);
            return flow;
        } catch (IOException e) {
            log.debug("{}: cannot open UDP flow to {}", config.name(), endpoint, e);
            return null;
        }
    }

    private final ByteBuffer udpBuffer = ByteBuffer.allocate(65_536);

    private void receiveUdpFromHost(UdpFlow flow) {
        FlowKey key = flow.key();
        for (int i = 0; i < 64; i++) {
            udpBuffer.clear();
            int count;
            try {
                count = flow.channel().read(udpBuffer);
            } catch (IOException e) {
                return; // ICMP port unreachable from the host side: nothing to tell the guest
            }
            if (count <= 0) {
                return;
            }
            flow.lastUsed()[0] = System.nanoTime();
            int room = Frames.MTU - Frames.IPV4_HEADER - Frames.UDP_HEADER;
            if (count > room) {
                continue; // would need fragmentation
            }
            byte[] mac = neighbours.get(key.guestAddress());
            if (mac != null) {
                send(Frames.udp(mac, config.gatewayMac(), key.remoteAddress(), key.remotePort(),
                        key.guestAddress(), key.guestPort(), udpBuffer.array(), 0, count));
            }
        }
    }

    // ---- TCP ---------------------------------------------------------------------------------

    private void handleTcp(byte[] frame, int source, int destination, int at, int length) {
        if (length < Frames.TCP_HEADER) {
            malformedFrames.incrementAndGet();
            return;
        }
        int dataOffset = (u8(frame, at + 12) >>> 4) * 4;
        if (dataOffset < Frames.TCP_HEADER || dataOffset > length
                || Frames.checksum(frame, at, length, Frames.pseudoHeaderSum(source, destination, PROTOCOL_TCP, length)) != 0) {
            malformedFrames.incrementAndGet();
            return;
        }
        if (!config.inSubnet(source) || (destination >>> 28) >= 0xE || destination == 0) {
            return;
        }
        TcpSegment segment = TcpSegment.parse(frame, at, length, dataOffset);
        FlowKey key = new FlowKey(source, u16(frame, at), destination, u16(frame, at + 2));
        TcpConnection connection = tcpConnections.get(key);
        if (connection != null) {
            connection.onGuestSegment(segment);
            return;
        }
        if (segment.has(Frames.TCP_RST)) {
            return;
        }
        boolean plainSyn = segment.has(Frames.TCP_SYN) && !segment.has(Frames.TCP_ACK);
        InetSocketAddress endpoint = plainSyn ? config.policy().hostEndpoint(PROTOCOL_TCP, destination, key.remotePort()) : null;
        if (endpoint == null || tcpConnections.size() >= MAX_TCP_CONNECTIONS) {
            sendReset(key, segment);
            return;
        }
        try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connection = TcpConnection.passiveOpen(this, key, channel, segment);
            tcpConnections.put(key, connection);
            connection.register(SelectionKey.OP_CONNECT);
            if (channel.connect(endpoint)) {
                connection.onHostConnected();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("{}: connection to {} refused at once", config.name(), endpoint, e);
            if (connection != null) {
                connection.abortHostSide();
                tcpConnections.remove(key);
            }
            sendReset(key, segment);
        }
    }

    /** RFC 793 "Reset Generation" for a segment that belongs to no connection. */
    void sendReset(FlowKey key, TcpSegment segment) {
        if (segment.has(Frames.TCP_ACK)) {
            sendTcp(key, segment.acknowledgment(), 0, Frames.TCP_RST, 0, 0, null, 0, 0);
        } else {
            int consumed = segment.dataLength() + (segment.has(Frames.TCP_SYN) ? 1 : 0) + (segment.has(Frames.TCP_FIN) ? 1 : 0);
            sendTcp(key, 0, segment.sequence() + consumed, Frames.TCP_RST | Frames.TCP_ACK, 0, 0, null, 0, 0);
        }
    }

    /** Sends a segment from the guest's peer ({@code key.remote*}) to the guest. */
    boolean sendTcp(FlowKey key, int sequence, int acknowledgment, int flags, int window, int mss,
                    byte[] data, int offset, int length) {
        byte[] mac = neighbours.get(key.guestAddress());
        if (mac == null) {
            return false;
        }
        return send(Frames.tcp(mac, config.gatewayMac(), key.remoteAddress(), key.remotePort(), key.guestAddress(),
                key.guestPort(), sequence, acknowledgment, flags, window, mss, data, offset, length));
    }

    SelectionKey register(SocketChannel channel, int operations, TcpConnection connection) throws IOException {
        return channel.register(selector, operations, connection);
    }

    void removeConnection(TcpConnection connection) {
        tcpConnections.remove(connection.key(), connection);
    }

    private void acceptForward(ServerSocketChannel listener, PortForward forward) {
        SocketChannel channel;
        try {
            channel = listener.accept();
        } catch (IOException e) {
            log.debug("{}: accept failed", config.name(), e);
            return;
        }
        if (channel == null) {
            return;
        }
        int guest = config.forwardGuestAddress();
        if (!neighbours.containsKey(guest) || tcpConnections.size() >= MAX_TCP_CONNECTIONS) {
            closeChannel(channel); // the guest has not appeared on the network yet
            return;
        }
        FlowKey key = null;
        for (int tries = 0; tries < 20_000 && (key == null || tcpConnections.containsKey(key)); tries++) {
            nextForwardPort = nextForwardPort >= 60_000 ? 40_000 : nextForwardPort + 1;
            key = new FlowKey(guest, forward.guestPort(), config.gatewayAddress(), nextForwardPort);
        }
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            TcpConnection connection = TcpConnection.activeOpen(this, key, channel);
            tcpConnections.put(key, connection);
        } catch (IOException e) {
            closeChannel(channel);
        }
    }

    boolean send(byte[] frame) {
        boolean delivered = sink.deliver(frame);
        if (!delivered) {
            droppedFrames.incrementAndGet();
        }
        return delivered;
    }

    String name() {
        return config.name();
    }
}
