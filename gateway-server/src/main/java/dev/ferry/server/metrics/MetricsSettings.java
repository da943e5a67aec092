package dev.ferry.server.metrics;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigNode;

/**
 * The {@code metrics:} section of ferry.yaml: whether /metrics is served, and where. Off unless
 * enabled; on loopback by default, as it tells anyone who reads it who is logged in and how much
 * moves.
 *
 * <pre>
 * metrics:
 *   enabled: true
 *   bindAddress: 127.0.0.1
 *   port: 9464
 * </pre>
 */
public record MetricsSettings(boolean enabled, String bindAddress, int port) {

  public static MetricsSettings of(FerryConfig config) {
    ConfigNode metrics = config.file().root().section("metrics");
    metrics.allowOnly("enabled", "bindAddress", "port");
    return new MetricsSettings(metrics.bool("enabled", false), metrics.string("bindAddress", "127.0.0.1"),
        metrics.integer("port", 9464, 0, 65535));
  }
}
