package dev.ferry.ftps.data;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.NetworkChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * Asks the kernel to acknowledge what arrives on a TCP connection at once, not after its
 * delayed-ACK timer (40 ms on Linux). Linux delays that ACK on a connection that has just had a
 * request/response exchange, and a client writing with Nagle on holds its next small write until
 * the previous one is acknowledged: a GnuTLS client's (lftp, FileZilla) Finished after its
 * ChangeCipherSpec, a client's close_notify after a file's last bytes (Python's ftplib, most
 * libraries). The switch is not permanent (the kernel returns to delayed ACKs as it sees fit, at
 * the latest when it sends a reply), so it is asked for again before each read that such a write
 * may answer. Where the option does not exist (not Linux), nothing changes.
 */
public final class QuickAck {

  private static final boolean SUPPORTED = supported();

  private QuickAck() {}

  /** On a TCP socket (not a TLS one layered over it). */
  public static void ask(Socket tcp) {
    ask(() -> tcp.setOption(ExtendedSocketOptions.TCP_QUICKACK, true));
  }

  /** On a TCP socket channel, such as MINA's. */
  public static void ask(NetworkChannel tcp) {
    ask(() -> tcp.setOption(ExtendedSocketOptions.TCP_QUICKACK, true));
  }

  /** Socket and NetworkChannel each have setOption, but share no interface declaring it. */
  private interface Setting {
    void apply() throws IOException;
  }

  private static void ask(Setting quickAck) {
    if (!SUPPORTED) {
      return;
    }
    try {
      quickAck.apply();
    } catch (IOException | UnsupportedOperationException e) {
      // closed, or none of this option: the read goes on with delayed ACKs
    }
  }

  private static boolean supported() {
    try (Socket probe = new Socket()) {
      return probe.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
    } catch (IOException e) {
      return false;
    }
  }
}
