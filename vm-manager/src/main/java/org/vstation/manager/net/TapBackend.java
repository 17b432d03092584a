package org.vstation.manager.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vstation.devices.net.FrameReceiver;
import org.vstation.devices.net.NetworkBackend;

/**
 * Bridged networking on Linux: a TAP interface (the kernel's TUN/TAP driver,
 * Documentation/networking/tuntap.rst) that is a port of a host bridge, so
 * the guest is one more machine on the bridge's LAN. Reached through
 * {@code java.lang.foreign}: open /dev/net/tun, ioctl TUNSETIFF with
 * IFF_TAP|IFF_NO_PI, then add the interface to the bridge (SIOCBRADDIF) and
 * bring it up.
 *
 * <p>Creating a TAP and joining it to a bridge needs CAP_NET_ADMIN. Without
 * it, an administrator can prepare a persistent TAP owned by the user, and
 * VStation only opens it:
 * <pre>
 *   ip tuntap add dev vstap0 mode tap user $USER
 *   ip link set vstap0 master br0 up
 * </pre>
 * A reader thread polls the TAP and hands frames to the adapter's bounded
 * queue; the guest's frames are written non-blocking (dropped if the kernel
 * queue is full).
 */
public final class TapBackend implements NetworkBackend {
    private static final Logger log = LoggerFactory.getLogger(TapBackend.class);

    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final long TUNSETIFF = 0x400454CAL;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final long SIOCBRADDIF = 0x89A2;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_UP = 0x1;
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    private static final short POLLIN = 1;
    private static final int POLL_MILLIS = 200;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    private static final int EBUSY = 16;
    private static final int ENODEV = 19;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), true);
    private static final MethodHandle IOCTL = function("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            true, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SOCKET = function("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), true);
    private static final MethodHandle READ = function("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), true);
    private static final MethodHandle WRITE = function("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), true);
    private static final MethodHandle POLL = function("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), false);
    private static final MethodHandle CLOSE = function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), false);

    private final String interfaceName;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment readBuffer = arena.allocate(65_536);
    private final MemorySegment writeBuffer = arena.allocate(65_536);
    private final MemorySegment writeErrno = arena.allocate(CAPTURE);
    private final Thread reader;
    private volatile boolean running = true;
    private volatile FrameReceiver receiver = frame -> false;

    private static MethodHandle function(String name, FunctionDescriptor descriptor, boolean errno,
                                         Linker.Option... options) {
        Linker.Option[] all = options;
        if (errno) {
            all = java.util.Arrays.copyOf(options, options.length + 1);
            all[options.length] = Linker.Option.captureCallState("errno");
        }
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, all);
    }

    private TapBackend(String interfaceName, int fd) {
        this.interfaceName = interfaceName;
        this.fd = fd;
        this.reader = Thread.ofPlatform().daemon(true).name("tap-" + interfaceName).start(this::readLoop);
    }

    /**
     * Opens (or creates) the TAP {@code tapName} (null: the kernel picks
     * vstapN) and makes it a port of {@code bridge}.
     */
    public static TapBackend open(String bridge, String tapName) throws BridgedNetworkException {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            throw new BridgedNetworkException("bridged networking uses a Linux TAP device; this host runs "
                    + System.getProperty("os.name"));
        }
        if (bridge == null || bridge.isEmpty() || bridge.length() >= IFNAMSIZ) {
            throw new BridgedNetworkException("bridged networking needs the name of a host bridge (for example br0)");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = call.allocate(CAPTURE);
            int socket = controlSocket(errno);
            try {
                requireInterface(errno, socket, call.allocate(IFREQ_SIZE), bridge);
            } finally {
                closeFd(socket);
            }
            int fd = (int) OPEN.invokeExact(errno, call.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                int error = (int) ERRNO.get(errno, 0L);
                throw new BridgedNetworkException(switch (error) {
                    case ENOENT, ENODEV -> "/dev/net/tun is missing: load the TUN/TAP driver (modprobe tun)";
                    case EPERM, EACCES -> "no permission to open /dev/net/tun: " + privilegeAdvice(bridge);
                    default -> "cannot open /dev/net/tun (errno " + error + ")";
                });
            }
            MemorySegment ifreq = call.allocate(IFREQ_SIZE);
            String requested = tapName == null ? "vstap%d" : tapName;
            if (requested.length() >= IFNAMSIZ) {
                closeFd(fd);
                throw new BridgedNetworkException("a TAP interface name has at most 15 characters: " + requested);
            }
            putName(ifreq, requested);
            ifreq.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI));
            int result = (int) IOCTL.invokeExact(errno, fd, TUNSETIFF, ifreq);
            if (result < 0) {
                int error = (int) ERRNO.get(errno, 0L);
                closeFd(fd);
                throw new BridgedNetworkException(switch (error) {
                    case EPERM, EACCES -> "no permission to create TAP " + requested + ": " + privilegeAdvice(bridge);
                    case EBUSY -> "TAP " + requested + " is in use by another program (another VM?)";
                    default -> "TUNSETIFF for " + requested + " failed (errno " + error + ")";
                });
            }
            String name = ifreq.getString(0, StandardCharsets.US_ASCII);
            try {
                joinBridge(call, errno, name, bridge);
            } catch (BridgedNetworkException e) {
                closeFd(fd);
                throw e;
            }
            log.info("bridged: TAP {} on bridge {}", name, bridge);
            return new TapBackend(name, fd);
        } catch (BridgedNetworkException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("native call failed: " + e, e);
        }
    }

    private static String privilegeAdvice(String bridge) {
        return "bridged networking needs CAP_NET_ADMIN (run as root, or `setcap cap_net_admin+ep` on the java "
                + "binary), or a TAP prepared for your user: `ip tuntap add dev vstap0 mode tap user $USER` and "
                + "`ip link set vstap0 master " + bridge + " up`, then choose vstap0";
    }

    /** The bridge must exist in this thread's network namespace (SIOCGIFINDEX answers ENODEV otherwise). */
    private static void requireInterface(MemorySegment errno, int socket, MemorySegment ifreq, String bridge)
            throws Throwable {
        putName(ifreq, bridge);
        if ((int) IOCTL.invokeExact(errno, socket, SIOCGIFINDEX, ifreq) < 0) {
            throw new BridgedNetworkException("there is no network interface named " + bridge + " on this host; "
                    + "create the bridge first (ip link add " + bridge + " type bridge; ip link set " + bridge
                    + " up; ip link set eth0 master " + bridge + ")");
        }
    }

    /** Adds the TAP to the bridge unless an administrator already did, and brings it up. */
    private static void joinBridge(Arena call, MemorySegment errno, String tap, String bridge) throws Throwable {
        Path master = Path.of("/sys/class/net", tap, "master");
        boolean alreadyPort = Files.isSymbolicLink(master)
                && Files.readSymbolicLink(master).getFileName().toString().equals(bridge);
        int socket = controlSocket(errno);
        try {
            MemorySegment ifreq = call.allocate(IFREQ_SIZE);
            if (!alreadyPort) {
                putName(ifreq, tap);
                if ((int) IOCTL.invokeExact(errno, socket, SIOCGIFINDEX, ifreq) < 0) {
                    throw new BridgedNetworkException("TAP " + tap + " vanished (errno " + (int) ERRNO.get(errno, 0L) + ")");
                }
                int index = ifreq.get(ValueLayout.JAVA_INT, IFNAMSIZ);
                ifreq.fill((byte) 0);
                putName(ifreq, bridge);
                ifreq.set(ValueLayout.JAVA_INT, IFNAMSIZ, index);
                if ((int) IOCTL.invokeExact(errno, socket, SIOCBRADDIF, ifreq) < 0) {
                    int error = (int) ERRNO.get(errno, 0L);
                    throw new BridgedNetworkException(switch (error) {
                        case EPERM, EACCES -> "no permission to add " + tap + " to bridge " + bridge + ": "
                                + privilegeAdvice(bridge);
                        case EOPNOTSUPP, EINVAL -> bridge + " is not a bridge; bridged networking joins a Linux "
                                + "bridge (ip link add br0 type bridge, with the physical interface as its port)";
                        default -> "cannot add " + tap + " to bridge " + bridge + " (errno " + error + ")";
                    });
                }
            }
            ifreq.fill((byte) 0);
            putName(ifreq, tap);
            if ((int) IOCTL.invokeExact(errno, socket, SIOCGIFFLAGS, ifreq) == 0) {
                short flags = ifreq.get(ValueLayout.JAVA_SHORT, IFNAMSIZ);
                if ((flags & IFF_UP) == 0) {
                    ifreq.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (flags | IFF_UP));
                    if ((int) IOCTL.invokeExact(errno, socket, SIOCSIFFLAGS, ifreq) < 0) {
                        throw new BridgedNetworkException("cannot bring " + tap + " up: " + privilegeAdvice(bridge));
                    }
                }
            }
        } finally {
            closeFd(socket);
        }
    }

    private static int controlSocket(MemorySegment errno) throws Throwable {
        int socket = (int) SOCKET.invokeExact(errno, AF_INET, SOCK_DGRAM, 0);
        if (socket < 0) {
            throw new BridgedNetworkException("cannot open a control socket (errno " + (int) ERRNO.get(errno, 0L) + ")");
        }
        return socket;
    }

    private static void putName(MemorySegment ifreq, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, bytes.length);
        ifreq.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
    }

    private static void closeFd(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close() failed: " + e, e);
        }
    }

    /** The TAP interface's name on the host (vstapN when the kernel chose it). */
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public synchronized void transmit(byte[] frame, int length) {
        if (!running || length > writeBuffer.byteSize()) {
            return;
        }
        MemorySegment.copy(frame, 0, writeBuffer, ValueLayout.JAVA_BYTE, 0, length);
        try {
            long written = (long) WRITE.invokeExact(writeErrno, fd, writeBuffer, (long) length);
            if (written < 0 && (int) ERRNO.get(writeErrno, 0L) != EAGAIN) {
                log.debug("{}: write failed, errno {}", interfaceName, (int) ERRNO.get(writeErrno, 0L));
            }
        } catch (Throwable e) {
            throw new IllegalStateException("write() failed: " + e, e);
        }
    }

    @Override
    public void attach(FrameReceiver receiver) {
        this.receiver = receiver;
    }

    private void readLoop() {
        try (Arena loop = Arena.ofConfined()) {
            MemorySegment pollFd = loop.allocate(8);
            MemorySegment errno = loop.allocate(CAPTURE);
            while (running) {
                pollFd.set(ValueLayout.JAVA_INT, 0, fd);
                pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
                pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int ready = (int) POLL.invokeExact(pollFd, 1L, POLL_MILLIS);
                if (ready <= 0 || !running) {
                    continue;
                }
                while (running) {
                    long count = (long) READ.invokeExact(errno, fd, readBuffer, readBuffer.byteSize());
                    if (count <= 0) {
                        break;
                    }
                    // The host kernel hands over frames as short as 42 bytes (an ARP reply); on a wire
                    // they would be padded to the 60-byte minimum (IEEE 802.3 4.2.3.3), and a NIC
                    // drops shorter ones as runts, so pad them as the wire would.
                    byte[] frame = new byte[(int) Math.max(count, Frames.MIN_FRAME)];
                    MemorySegment.copy(readBuffer, ValueLayout.JAVA_BYTE, 0, frame, 0, (int) count);
                    receiver.offer(frame);
                }
            }
        } catch (Throwable e) {
            log.error("{}: TAP reader failed", interfaceName, e);
        }
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            reader.join(POLL_MILLIS * 5L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closeFd(fd);
        }
        arena.close();
    }
}
