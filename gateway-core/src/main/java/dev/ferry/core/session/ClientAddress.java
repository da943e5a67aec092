package dev.ferry.core.session;

import java.net.Inet6Address;
import java.net.InetAddress;
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
        ? of(inet.getAddress()) : "unknown";
  }

  public static String of(InetAddress address) {
    return address instanceof Inet6Address v6 ? rfc5952(v6.getAddress()) : address.getHostAddress();
  }

  /** Lower-case hex groups without leading zeros, the longest run of two or more zero groups as "::". */
  private static String rfc5952(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }
}
