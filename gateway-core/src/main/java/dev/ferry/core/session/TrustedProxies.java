package dev.ferry.core.session;

import dev.ferry.core.config.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The balancers whose connections start with a PROXY protocol header ({@code proxyProtocol.trustedFrom}):
 * networks in CIDR form ({@code 10.0.0.0/24}, {@code fd00::/64}) or single addresses. Empty: no
 * connection may carry a header.
 */
public final class TrustedProxies {

  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final List<Network> networks;

  private TrustedProxies(List<Network> networks) {
    this.networks = List.copyOf(networks);
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of());
  }

  /** Parses {@code entries}; a bad one is refused naming {@code key} and its index. */
  public static TrustedProxies parse(List<String> entries, String key) {
    return new TrustedProxies(java.util.stream.IntStream.range(0, entries.size())
        .mapToObj(i -> Network.parse(entries.get(i).trim(), key + "[" + i + "]")).toList());
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  public boolean trusts(SocketAddress peer) {
    return peer instanceof InetSocketAddress inet && inet.getAddress() != null
        && networks.stream().anyMatch(network -> network.contains(inet.getAddress()));
  }

  @Override
  public String toString() {
    return networks.toString();
  }

  private record Network(byte[] address, int prefix, String text) {

    static Network parse(String entry, String key) {
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      if (!LITERAL.matcher(host).matches()) {
        throw new ConfigException(key, "must be an IP address or a network such as 10.0.0.0/24, got '" + entry + "'");
      }
      byte[] address;
      try {
        address = InetAddress.getByName(host).getAddress(); // a literal: nothing is looked up
      } catch (UnknownHostException e) {
        throw new ConfigException(key, "must be an IP address or a network such as 10.0.0.0/24, got '" + entry + "'");
      }
      int bits = address.length * 8;
      int prefix = bits;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
          throw new ConfigException(key, "prefix length must be 0 to " + bits + ", got '" + entry + "'");
        }
      }
      return new Network(address, prefix, entry);
    }

    boolean contains(InetAddress candidate) {
      byte[] other = candidate.getAddress();
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

    @Override
    public String toString() {
      return text;
    }
  }
}
