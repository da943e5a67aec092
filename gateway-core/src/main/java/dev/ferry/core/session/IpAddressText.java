package dev.ferry.core.session;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IP address as text in its RFC 5952 form, the one people and other tools write and search
 * for: {@code ::1} and {@code 2001:db8::1}, not Java's {@code 0:0:0:0:0:0:0:1}. IPv4 as usual. A
 * zone ({@code %eth0}) is kept. Every address Ferry writes (logs, the activity log, sessions, bans)
 * is written this way, so one client has one spelling everywhere.
 */
public final class IpAddressText {

  private IpAddressText() {}

  public static String of(InetAddress address) {
    if (!(address instanceof Inet6Address v6)) {
      return address.getHostAddress();
    }
    String text = v6.getHostAddress();
    int zone = text.indexOf('%');
    return compressed(v6.getAddress()) + (zone < 0 ? "" : text.substring(zone));
  }

  /** Lower-case hex groups without leading zeros; the longest run of two or more zero groups (the first of equals) as "::". */
  private static String compressed(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int run = 0;
      while (i + run < 8 && groups[i + run] == 0) {
        run++;
      }
      if (run > bestLength) {
        bestStart = i;
        bestLength = run;
      }
      i += Math.max(run, 1);
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
