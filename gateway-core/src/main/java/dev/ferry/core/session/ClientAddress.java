package dev.ferry.core.session;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A client's address as every limit, ban and log line keys it: the IP alone ("127.0.0.1"), not
 * the socket's "host/ip:port", so that all connections of one host count together.
 */
public final class ClientAddress {

  private ClientAddress() {}

  public static String of(SocketAddress client) {
    return client instanceof InetSocketAddress inet && inet.getAddress() != null
        ? IpAddressText.of(inet.getAddress()) : "unknown";
  }
}
