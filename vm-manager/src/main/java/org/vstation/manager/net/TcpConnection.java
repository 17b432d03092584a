package org.vstation.manager.net;

import static org.vstation.manager.net.Frames.TCP_ACK;
import static org.vstation.manager.net.Frames.TCP_FIN;
import static org.vstation.manager.net.Frames.TCP_PSH;
import static org.vstation.manager.net.Frames.TCP_RST;
import static org.vstation.manager.net.Frames.TCP_SYN;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One guest TCP connection carried on a host socket: the gateway plays the
 * guest's peer (RFC 793 state machine, reduced to what a relay needs). The
 * guest's data goes into a 64 KiB buffer whose free space is the window we
 * advertise; the host's data waits in a 64 KiB ring until the guest
 * acknowledges it, sent within the guest's window and resent go-back-N when
 * the retransmission timer (RFC 6298: 200 ms floor here, doubling) expires.
 * In-order only: an out-of-order segment is dropped and re-acknowledged.
 */
final class TcpConnection {
    private static final int BUFFER = 1 << 16;
    private static final int OUR_MSS = Frames.MTU - Frames.IPV4_HEADER - Frames.TCP_HEADER;
    private static final int DEFAULT_GUEST_MSS = 536;
    private static final long INITIAL_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_RETRIES = 12;
    /** How long a half-closed connection may linger waiting for the guest (FIN-WAIT-2 style bound). */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(120);

    private enum Phase {
        /** Guest SYN seen; the host connection is being made. */
        CONNECTING,
        /** SYN-ACK sent to the guest, waiting for its ACK. */
        SYN_RECEIVED,
        /** A port forward: our SYN sent to the guest. */
        SYN_SENT,
        ESTABLISHED
    }

    private final UserModeGateway gateway;
    private final FlowKey key;
    private final SocketChannel channel;
    private SelectionKey selectionKey;
    private Phase phase;

    private final int initialSequence = ThreadLocalRandom.current().nextInt();
    private int sendUnacknowledged;
    private int sendNext;
    private int receiveNext;
    private int guestWindow;
    private int guestMss = DEFAULT_GUEST_MSS;
    /** Sequence number of the first byte in {@link #toGuest}. */
    private int ringSequence;
    private final ByteRing toGuest = new ByteRing(BUFFER);
    private final ByteBuffer toHost = ByteBuffer.allocate(BUFFER);
    private final byte[] segmentBuffer = new byte[OUR_MSS];
    private int advertisedWindow;

    private boolean hostEof;
    private boolean finSent;
    private boolean finAcknowledged;
    private int finSequence;
    private boolean guestFin;
    private boolean hostOutputShut;
    private boolean closed;

    private long lastTransmitNanos = System.nanoTime();
    private long rtoNanos = INITIAL_RTO_NANOS;
    private int retries;
    private long halfClosedSince;

    private TcpConnection(UserModeGateway gateway, FlowKey key, SocketChannel channel, Phase phase) {
        this.gateway = gateway;
        this.key = key;
        this.channel = channel;
        this.phase = phase;
        this.sendUnacknowledged = initialSequence;
        this.sendNext = initialSequence;
        this.ringSequence = initialSequence + 1;
    }

    /** The guest opened a connection (its SYN); the host side connects next. */
    static TcpConnection passiveOpen(UserModeGateway gateway, FlowKey key, SocketChannel channel, TcpSegment syn) {
        TcpConnection connection = new TcpConnection(gateway, key, channel, Phase.CONNECTING);
        connection.receiveNext = syn.sequence() + 1;
        connection.guestWindow = syn.window();
        if (syn.mss() > 0) {
            connection.guestMss = Math.min(syn.mss(), OUR_MSS);
        }
        return connection;
    }

    /** A host client connected to a port forward: we open the connection to the guest. */
    static TcpConnection activeOpen(UserModeGateway gateway, FlowKey key, SocketChannel channel) throws IOException {
        TcpConnection connection = new TcpConnection(gateway, key, channel, Phase.SYN_SENT);
        connection.selectionKey = gateway.register(channel, 0, connection);
        connection.sendSyn();
        return connection;
    }

    FlowKey key() {
        return key;
    }

    void register(int operations) throws IOException {
        selectionKey = gateway.register(channel, operations, this);
    }

    // ---- host side -----------------------------------------------------------------------------

    void onHostConnected() {
        phase = Phase.SYN_RECEIVED;
        sendSynAck();
        updateInterest();
    }

    void onHostEvent(SelectionKey key) {
        if (closed) {
            return;
        }
        try {
            if (key.isConnectable()) {
                if (channel.finishConnect()) {
                    onHostConnected();
                }
                return;
            }
            if (key.isWritable()) {
                writeToHost();
            }
            if (key.isReadable()) {
                readFromHost();
            }
            transmitToGuest();
            maybeFinish();
            updateInterest();
        } catch (IOException e) {
            abort(); // refused, reset or unreachable: the guest gets a reset
        }
    }

    private void readFromHost() throws IOException {
        while (toGuest.free() > 0 && !hostEof) {
            ByteBuffer into = ByteBuffer.wrap(toGuest.array(), toGuest.writeOffset(), toGuest.writableRun());
            int count = channel.read(into);
            if (count < 0) {
                hostEof = true;
            } else if (count == 0) {
                return;
            } else {
                toGuest.commit(count);
            }
        }
    }

    private void writeToHost() throws IOException {
        if (toHost.position() > 0) {
            toHost.flip();
            channel.write(toHost);
            toHost.compact();
        }
        if (guestFin && toHost.position() == 0 && !hostOutputShut) {
            channel.shutdownOutput();
            hostOutputShut = true;
        }
        // A window that had shrunk below a segment opens again: tell the guest (RFC 1122 4.2.3.3).
        if (phase == Phase.ESTABLISHED && advertisedWindow < OUR_MSS * 2 && window() >= BUFFER / 2) {
            sendAck();
        }
    }

    private void updateInterest() {
        if (closed || selectionKey == null || !selectionKey.isValid()) {
            return;
        }
        int interest = 0;
        if (phase == Phase.CONNECTING) {
            interest = SelectionKey.OP_CONNECT;
        } else if (phase == Phase.ESTABLISHED || phase == Phase.SYN_RECEIVED) {
            if (!hostEof && toGuest.free() > 0 && phase == Phase.ESTABLISHED) {
                interest |= SelectionKey.OP_READ;
            }
            if (toHost.position() > 0 || (guestFin && !hostOutputShut)) {
                interest |= SelectionKey.OP_WRITE;
            }
        }
        selectionKey.interestOps(interest);
    }

    // ---- guest side ----------------------------------------------------------------------------

    void onGuestSegment(TcpSegment segment) {
        if (closed) {
            return;
        }
        try {
            handleGuestSegment(segment);
            if (!closed) {
                maybeFinish();
                updateInterest();
            }
        } catch (IOException e) {
            abort();
        }
    }

    private void handleGuestSegment(TcpSegment segment) throws IOException {
        if (segment.has(TCP_RST)) {
            if (phase == Phase.SYN_SENT ? segment.acknowledgment() == initialSequence + 1
                    : inReceiveWindow(segment.sequence())) {
                abortHostSide(); // RFC 5961 3.2 would want an exact match; in-window is RFC 793's rule
                gateway.removeConnection(this);
            }
            return;
        }
        switch (phase) {
            case CONNECTING -> {
                return; // the guest's SYN again, while the host connects: the SYN-ACK follows
            }
            case SYN_SENT -> {
                if (segment.has(TCP_SYN) && segment.has(TCP_ACK) && segment.acknowledgment() == initialSequence + 1) {
                    receiveNext = segment.sequence() + 1;
                    sendUnacknowledged = initialSequence + 1;
                    guestWindow = segment.window();
                    if (segment.mss() > 0) {
                        guestMss = Math.min(segment.mss(), OUR_MSS);
                    }
                    phase = Phase.ESTABLISHED;
                    progress();
                    sendAck();
                } else if (segment.has(TCP_ACK)) {
                    gateway.sendReset(key, segment);
                }
                return;
            }
            case SYN_RECEIVED -> {
                if (segment.has(TCP_SYN) && !segment.has(TCP_ACK)) {
                    sendSynAck(); // our SYN-ACK was lost
                    return;
                }
                if (!segment.has(TCP_ACK) || segment.acknowledgment() != initialSequence + 1) {
                    return;
                }
                phase = Phase.ESTABLISHED;
                sendUnacknowledged = initialSequence + 1;
                progress();
            }
            case ESTABLISHED -> { }
        }
        if (segment.has(TCP_SYN)) {
            sendAck(); // a retransmitted SYN after we are established: re-acknowledge
            return;
        }
        if (segment.has(TCP_ACK)) {
            acknowledge(segment.acknowledgment(), segment.window());
        }
        int length = segment.dataLength();
        boolean fin = segment.has(TCP_FIN);
        if (length > 0 || fin) {
            if (segment.sequence() != receiveNext) {
                sendAck(); // out of order or a duplicate: say what we expect
                return;
            }
            int accepted = Math.min(length, toHost.remaining());
            toHost.put(segment.frame(), segment.dataOffset(), accepted);
            receiveNext += accepted;
            if (fin && accepted == length && !guestFin) {
                guestFin = true;
                receiveNext++;
                halfClosedSince = System.nanoTime();
            }
            writeToHost();
            sendAck();
        }
        transmitToGuest();
    }

    private boolean inReceiveWindow(int sequence) {
        int offset = sequence - receiveNext;
        return offset >= 0 && offset <= Math.max(window(), 1);
    }

    private void acknowledge(int ack, int window) {
        int acked = ack - sendUnacknowledged;
        int outstanding = sendNext - sendUnacknowledged;
        if (acked < 0 || acked > outstanding) {
            return; // old or from the future: ignore
        }
        guestWindow = window;
        if (acked == 0) {
            return;
        }
        sendUnacknowledged = ack;
        int dataAcked = Math.min(ack - ringSequence, toGuest.size());
        if (dataAcked > 0) {
            toGuest.discard(dataAcked);
            ringSequence += dataAcked;
        }
        if (finSent && ack == finSequence + 1) {
            finAcknowledged = true;
        }
        progress();
    }

    private void progress() {
        retries = 0;
        rtoNanos = INITIAL_RTO_NANOS;
        lastTransmitNanos = System.nanoTime();
    }

    /** Sends what the guest's window allows from the ring, then our FIN once the host has finished. */
    private void transmitToGuest() {
        if (phase != Phase.ESTABLISHED || closed) {
            return;
        }
        while (true) {
            int sentOffset = sendNext - ringSequence;
            int unsent = toGuest.size() - sentOffset;
            int windowLeft = sendUnacknowledged + guestWindow - sendNext;
            int length = Math.min(Math.min(unsent, windowLeft), guestMss);
            if (length <= 0 || finSent) {
                break;
            }
            toGuest.copy(sentOffset, segmentBuffer, 0, length);
            if (!gateway.sendTcp(key, sendNext, receiveNext, TCP_ACK | TCP_PSH, window(), 0, segmentBuffer, 0, length)) {
                break; // the adapter's queue is full: the retransmission timer tries again
            }
            if (sendNext == sendUnacknowledged) {
                lastTransmitNanos = System.nanoTime();
            }
            sendNext += length;
        }
        if (hostEof && !finSent && sendNext - ringSequence == toGuest.size()) {
            finSequence = sendNext;
            finSent = true;
            sendNext++;
            gateway.sendTcp(key, finSequence, receiveNext, TCP_FIN | TCP_ACK, window(), 0, null, 0, 0);
            lastTransmitNanos = System.nanoTime();
        }
    }

    private void maybeFinish() {
        if (closed) {
            return;
        }
        boolean guestDone = guestFin && hostOutputShut;
        boolean hostDone = finSent && finAcknowledged;
        if (guestDone && hostDone) {
            closed = true;
            UserModeGateway.closeChannel(channel);
            gateway.removeConnection(this);
        }
    }

    // ---- timers ----------------------------------------------------------------------------------

    void onTimer(long now) {
        if (closed) {
            return;
        }
        if ((guestFin || finSent) && halfClosedSince == 0) {
            halfClosedSince = now;
        }
        if (halfClosedSince != 0 && now - halfClosedSince > LINGER_NANOS) {
            abort();
            return;
        }
        boolean waiting = switch (phase) {
            case CONNECTING -> false;
            case SYN_SENT, SYN_RECEIVED -> true;
            case ESTABLISHED -> sendNext != sendUnacknowledged
                    || (guestWindow == 0 && toGuest.size() > sendNext - ringSequence);
        };
        if (!waiting || now - lastTransmitNanos < rtoNanos) {
            return;
        }
        if (++retries > MAX_RETRIES) {
            abort();
            return;
        }
        rtoNanos = Math.min(rtoNanos * 2, MAX_RTO_NANOS);
        lastTransmitNanos = now;
        switch (phase) {
            case SYN_SENT -> sendSyn();
            case SYN_RECEIVED -> sendSynAck();
            case ESTABLISHED -> retransmit();
            case CONNECTING -> { }
        }
    }

    /** Go-back-N from the oldest unacknowledged byte; a zero window gets a one-byte probe (RFC 1122 4.2.2.17). */
    private void retransmit() {
        sendNext = sendUnacknowledged;
        if (finSent && !finAcknowledged) {
            finSent = false;
        }
        if (guestWindow == 0 && toGuest.size() > 0) {
            byte[] probe = new byte[1];
            toGuest.copy(sendNext - ringSequence, probe, 0, 1);
            gateway.sendTcp(key, sendNext, receiveNext, TCP_ACK, window(), 0, probe, 0, 1);
            sendNext++;
            return;
        }
        transmitToGuest();
        updateInterest();
    }

    // ---- sending and closing -------------------------------------------------------------------

    private int window() {
        return Math.min(toHost.remaining(), 0xFFFF);
    }

    private void sendSyn() {
        sendNext = initialSequence + 1;
        gateway.sendTcp(key, initialSequence, 0, TCP_SYN, window(), OUR_MSS, null, 0, 0);
        lastTransmitNanos = System.nanoTime();
    }

    private void sendSynAck() {
        sendNext = initialSequence + 1;
        gateway.sendTcp(key, initialSequence, receiveNext, TCP_SYN | TCP_ACK, window(), OUR_MSS, null, 0, 0);
        lastTransmitNanos = System.nanoTime();
    }

    private void sendAck() {
        advertisedWindow = window();
        gateway.sendTcp(key, sendNext, receiveNext, TCP_ACK, advertisedWindow, 0, null, 0, 0);
    }

    /** The host side failed or gave up: reset the guest's end and drop the socket. */
    private void abort() {
        if (closed) {
            return;
        }
        gateway.sendTcp(key, sendNext, receiveNext, TCP_RST | TCP_ACK, 0, 0, null, 0, 0);
        abortHostSide();
        gateway.removeConnection(this);
    }

    /** Closes the host socket with a reset (SO_LINGER 0), as the guest's reset asks. */
    void abortHostSide() {
        closed = true;
        try {
            if (channel.isOpen() && channel.isConnected()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // Already reset by the host: closing below is all that is left to do.
        }
        UserModeGateway.closeChannel(channel);
    }
}
