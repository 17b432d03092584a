package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line's {@code --forward} text. */
class PortForwardTest {

    @Test
    void aForwardListensOnTheLoopbackUnlessGivenAnAddress() {
        assertEquals(new PortForward("127.0.0.1", 8022, 22), PortForward.parse("tcp:8022:22"));
        assertEquals(new PortForward("0.0.0.0", 8080, 80), PortForward.parse("tcp:0.0.0.0:8080:80"));
    }

    @Test
    void theSpecReadsBackAsTheSameForward() {
        for (String spec : new String[] {"tcp:8022:22", "tcp:192.168.1.5:80:8080"}) {
            assertEquals(spec, PortForward.parse(spec).spec());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "8022:22|a port forward is tcp:HOSTPORT:GUESTPORT",
            "udp:53:53|only TCP ports are forwarded",
            "tcp:0:22|'0' is not a port 1-65535",
            "tcp:8022:70000|'70000' is not a port 1-65535",
            "tcp:8022:ssh|'ssh' is not a port 1-65535",
            "tcp:localhost:8022:22|a forward listens on an IPv4 address",
            "tcp:10.0.0.256:8022:22|a forward listens on an IPv4 address",
            "tcp:1:2:3:4|a port forward is tcp:HOSTPORT:GUESTPORT",
    })
    void aBadForwardSaysWhatAForwardLooksLike(String text, String message) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> PortForward.parse(text));
        assertTrue(error.getMessage().startsWith(message) || error.getMessage().contains(message), error.getMessage());
    }
}
