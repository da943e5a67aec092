package dev.ferry.ftps.data;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address passive data connections listen on and PASV advertises, from the control listener's
 * bind address. A wildcard (0.0.0.0, or "::" for both address families) is no address a client
 * can connect to: PASV sent it as "0,0,0,0" (which lftp and curl work around) or, for "::", as
 * "0:0:0:0:0:0:0:0", which no IPv4 client can parse. For a wildcard the answer is null, and FtpServer
 * then uses the address the client reached the control connection on.
 */
public final class PassiveAddress {

  private PassiveAddress() {}

  /** {@code bindAddress}, or null when it is a wildcard. */
  public static String of(String bindAddress) {
    try {
      return InetAddress.getByName(bindAddress).isAnyLocalAddress() ? null : bindAddress;
    } catch (UnknownHostException notAnAddress) {
      return bindAddress; // the listener fails on it with its own message
    }
  }
}
