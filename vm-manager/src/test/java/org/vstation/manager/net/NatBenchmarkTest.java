package org.vstation.manager.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NatBenchmarkTest {
    @Test
    void pushesDataThroughTheGatewayAndReportsARate() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int exit = NatBenchmark.run(new String[] {"--megabytes", "4"}, new PrintStream(text, true, StandardCharsets.UTF_8));
        String report = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, report);
        assertTrue(report.matches("(?s)net: guest-to-host TCP through NAT: [0-9.]+ MB/s \\(4 MiB\\).*"), report);
    }
}
