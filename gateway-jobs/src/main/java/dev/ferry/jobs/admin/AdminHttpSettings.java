package dev.ferry.jobs.admin;

import java.time.Duration;

/**
 * The admin HTTP API's listener, the bearer token every request but GET /health must carry, and
 * how long a connection may stay idle between requests before it is closed. With {@code tls}, the
 * port speaks HTTPS only, with the FTPS certificate and the same TLS policy.
 */
public record AdminHttpSettings(boolean enabled, String bindAddress, int port, String token, Duration idleTimeout,
    boolean tls) {}
