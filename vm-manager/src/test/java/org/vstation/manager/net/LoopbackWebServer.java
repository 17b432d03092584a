package org.vstation.manager.net;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The host-side web server the guest network tests fetch from: one page, on the loopback address only. */
final class LoopbackWebServer {
    static final String PAGE = "served-by-the-host-loopback\n";

    private LoopbackWebServer() {
    }

    /** Started on an ephemeral loopback port; the caller stops it. */
    static HttpServer start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        return http;
    }
}
