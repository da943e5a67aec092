package dev.ferry.core.session;

import dev.ferry.core.config.ConfigException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * The balancers whose connections start with a PROXY protocol header ({@code proxyProtocol.trustedFrom}):
 * networks in CIDR form ({@code 10.0.0.0/24}, {@code fd00::/64}) or single addresses. Empty: no
 * connection may carry a header.
 */
public final class TrustedProxies {

  private final List<IpNetwork> networks;

  private TrustedProxies(List<IpNetwork> networks) {
    this.networks = List.copyOf(networks);
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of());
  }

  /** Parses {@code entries}; a bad one is refused naming {@code key} and its index. */
  public static TrustedProxies parse(List<String> entries, String key) {
    return new TrustedProxies(java.util.stream.IntStream.range(0, entries.size())
        .mapToObj(i -> network(entries.get(i), key + "[" + i + "]")).toList());
  }

  private static IpNetwork network(String entry, String key) {
    try {
      return IpNetwork.parse(entry);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
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
}
