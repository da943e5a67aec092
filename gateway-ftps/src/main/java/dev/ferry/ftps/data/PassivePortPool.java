package dev.ferry.ftps.data;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.ftpserver.impl.PassivePorts;

/**
 * FtpServer's passive port pool, with its check of whether a port is taken made on the address the
 * passive port binds to. FtpServer's own check binds every address: a port that another process
 * uses on another address (a balancer's passive frontend on the same host, as in the shipped
 * HAProxy config run on one machine) counted as taken, and every PASV failed with 425.
 *
 * <p>It takes back only the ports it handed out. With {@code passivePorts: 0} (any port) the system
 * picks each passive socket's port, and FtpServer hands that port back when the transfer ends: its
 * own pool, which never reserved it, logged "Releasing unreserved passive port" at WARN for every
 * transfer.
 */
public final class PassivePortPool extends PassivePorts {

  private final InetAddress bindAddress;
  private final Set<Integer> handedOut = new HashSet<>();

  public PassivePortPool(String ports, String bindAddress) throws UnknownHostException {
    super(ports, false);
    this.bindAddress = InetAddress.getByName(bindAddress); // ftps.bindAddress: a literal or the host's name
  }

  @Override
  public synchronized int reserveNextPort() {
    List<Integer> taken = new ArrayList<>();
    try {
      while (true) {
        int port = super.reserveNextPort();
        if (port <= 0) {
          return port;
        }
        if (free(port)) {
          handedOut.add(port);
          return port;
        }
        taken.add(port); // held until a free one is found, so it is not picked again meanwhile
      }
    } finally {
      taken.forEach(super::releasePort);
    }
  }

  @Override
  public synchronized void releasePort(int port) {
    if (handedOut.remove(port)) {
      super.releasePort(port);
    }
  }

  private boolean free(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(bindAddress, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
