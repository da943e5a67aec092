package dev.ferry.server.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.thread.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * GET /metrics in Prometheus text format, on a port of its own (as SFTPGo's telemetry and the
 * Prometheus exporters do): a scraper needs no admin token, and the admin API stays on its own.
 * Anything else is 404.
 */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("ferry-metrics"));

  public MetricsServer(MetricsSettings settings, FerryMetrics metrics) throws IOException {
    server = HttpServer.create(new InetSocketAddress(settings.bindAddress(), settings.port()), 16);
    server.createContext("/", exchange -> {
      try (exchange) {
        boolean found = "/metrics".equals(exchange.getRequestURI().getPath());
        if (!found || !"GET".equals(exchange.getRequestMethod())) {
          exchange.sendResponseHeaders(found ? 405 : 404, -1);
          return;
        }
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
