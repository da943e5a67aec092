package dev.ferry.core.session;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A client's address as every limit, ban and log line keys it: the IP alone ("127.0.0.1"), not
 * the socket's "host/ip:port", so that all connections of one host count together. IPv6 in its
 * RFC 5952 form ("::1", not the JDK's "0:0:0:0:0:0:0:1"), as OpenSSH and HAProxy write it, so
 * one address reads the same in Ferry's log and theirs.
 */
public final class ClientAddress {

  private ClientAddress() {}

  public static String of(SocketAddress client) {
    return client instanceof InetSocketAddress inet && inet.getAddress() != null
        ? IpAddressText.of(inet.getAddress()) : "unknown";
  }
}
