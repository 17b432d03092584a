package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.GuestWire.isIpv4;
import static org.vstation.manager.net.NatBackendTest.arpRequest;
import static org.vstation.manager.net.NatBackendTest.ping;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vstation.devices.net.FrameReceiver;
import org.vstation.devices.net.NetworkBackend;

/** The gateway under a policy of the test's own: ping to outside addresses (the host's loopback stands in). */
class UserModeGatewayTest {
    static final byte[] GUEST_MAC = {0x02, 0x56, 0x53, 0x00, 0x00, 0x07};
    static final int GATEWAY = Frames.parseIp("10.0.2.2");
    static final int GUEST = Frames.parseIp("10.0.2.15");

    @Test
    void pingToAnOutsideAddressIsAnsweredWhenThePolicyAllowsAndTheHostReachesIt() throws Exception {
        int refused = Frames.parseIp("192.0.2.1");
        GatewayPolicy everything = (protocol, destination, port) -> destination == refused ? null
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        UserModeGateway gateway = new UserModeGateway(new GatewayConfig("ping", Frames.parseIp("10.0.2.0"), 24,
                GATEWAY, 0, GATEWAY, GUEST, 4, 600, NatBackend.GATEWAY_MAC.clone(), everything, List.of(), GUEST));
        NetworkBackend cable = new NetworkBackend() {
            @Override public void transmit(byte[] frame, int length) { gateway.receiveFromGuest(frame, length); }
            @Override public void attach(FrameReceiver receiver) { gateway.connect(receiver::offer); }
            @Override public void close() { gateway.close(); }
        };
        try (cable) {
            GuestWire guest = new GuestWire(cable, GUEST_MAC, GUEST);
            guest.send(arpRequest(GUEST_MAC, GUEST, GATEWAY));
            int loopback = Frames.parseIp("127.0.0.1");
            guest.send(ping(GUEST_MAC, GUEST, loopback, 1, new byte[16]));
            byte[] reply = guest.expect("the host reaches its loopback",
                    f -> isIpv4(f, Frames.PROTOCOL_ICMP) && f[34] == 0 && u16(f, 40) == 1);
            assertEquals(loopback, u32(reply, 26), "the reply comes from the pinged address");
            GuestWire.assertChecksumsValid(reply);
            guest.send(ping(GUEST_MAC, GUEST, refused, 2, new byte[16]));
            assertTrue(guest.nothing(f -> isIpv4(f, Frames.PROTOCOL_ICMP) && u16(f, 40) == 2, 1000),
                    "the policy refuses that address: no answer");
        }
    }
}
