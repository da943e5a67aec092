package dev.ferry.core.session;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A network in CIDR form ({@code 10.0.0.0/24}, {@code 2001:db8::/32}) or one address, as operators
 * write them for trusted balancers and for where a user may log in from. Only literals: a host
 * name is refused, never looked up.
 */
public final class IpNetwork {

  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final byte[] address;
  private final int prefix;
  private final String text;

  private IpNetwork(byte[] address, int prefix, String text) {
    this.address = address;
    this.prefix = prefix;
    this.text = text;
  }

  /** Parses {@code entry}; a bad one throws {@link IllegalArgumentException} saying what is wrong with it. */
  public static IpNetwork parse(String entry) {
    String trimmed = entry == null ? "" : entry.trim();
    int slash = trimmed.indexOf('/');
    String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] address = literal(host);
    if (address == null) {
      throw new IllegalArgumentException("must be an IP address or a network such as 10.0.0.0/24, got '" + entry + "'");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("prefix length must be 0 to " + bits + ", got '" + entry + "'");
      }
    }
    return new IpNetwork(address, prefix, trimmed);
  }

  public boolean contains(InetAddress candidate) {
    return candidate != null && contains(candidate.getAddress());
  }

  /**
   * Whether {@code addressText}, an address as Ferry writes it ({@link IpAddressText}: a literal,
   * perhaps with a zone), is in this network; false for anything that is not a literal.
   */
  public boolean contains(String addressText) {
    if (addressText == null) {
      return false;
    }
    int zone = addressText.indexOf('%');
    byte[] other = literal(zone < 0 ? addressText : addressText.substring(0, zone));
    return other != null && contains(other);
  }

  private boolean contains(byte[] other) {
    if (other.length != address.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((other[bit / 8] & mask) != (address[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** The bytes of a literal address (an IPv4-mapped IPv6 one as IPv4, as the JDK reads it), or null. */
  private static byte[] literal(String host) {
    if (!LITERAL.matcher(host).matches() || (host.indexOf(':') < 0 && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
      return null;
    }
    try {
      return InetAddress.getByName(host).getAddress(); // a literal: nothing is looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
