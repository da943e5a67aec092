package dev.ferry.jobs.admin;

import java.time.Duration;

/**
 * The admin HTTP API's listener, its bearer tokens (every request but GET /health carries one), and
 * how long a connection may stay idle between requests before it is closed. With {@code tls}, the
 * port speaks HTTPS only, with the FTPS certificate and the same TLS policy.
 */
public record AdminHttpSettings(boolean enabled, String bindAddress, int port, AdminTokens tokens,
    Duration idleTimeout, boolean tls) {}
