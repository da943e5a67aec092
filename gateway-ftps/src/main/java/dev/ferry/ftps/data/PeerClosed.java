package dev.ferry.ftps.data;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Whether the client's FIN has reached this side of a TCP connection, from the kernel's socket
 * table (Linux: {@code /proc/net/tcp} and {@code tcp6}): the connection is no longer ESTABLISHED
 * (CLOSE_WAIT once the FIN is in; gone or LAST_ACK once this side closed too). Java has no call for
 * it: the FIN waits in the socket behind the bytes not read yet, and an upload's reader may be
 * behind while S3 takes a part. A FIN the client's kernel still holds behind unsent bytes (the
 * server's receive window full) has not arrived, and counts as not sent. Without the table
 * (another OS) the answer is false.
 */
final class PeerClosed {

  private static final String ESTABLISHED = "01";
  private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  private PeerClosed() {}

  static boolean of(Socket socket) {
    InetAddress remote = socket.getInetAddress();
    if (remote == null) {
      return false;
    }
    String ports = port(socket.getLocalPort()) + " " + port(socket.getPort());
    List<String> remotes = encodings(remote);
    boolean tableRead = false;
    for (Path table : TABLES) {
      try (Stream<String> lines = Files.lines(table)) {
        List<String> states = lines.skip(1).map(line -> line.trim().split("\\s+"))
            .filter(fields -> sameConnection(fields, ports, remotes)).map(fields -> fields[3]).toList();
        if (!states.isEmpty()) {
          return !states.contains(ESTABLISHED);
        }
        tableRead = true;
      } catch (IOException | RuntimeException unreadable) {
        // no such table here
      }
    }
    return tableRead; // in neither table: closed on both sides and gone
  }

  /** A row's fields: "sl:", local_address, rem_address, st, ...; addresses as ADDRESS:PORT in hex. */
  private static boolean sameConnection(String[] fields, String ports, List<String> remotes) {
    if (fields.length < 4) {
      return false;
    }
    int localColon = fields[1].lastIndexOf(':');
    int remoteColon = fields[2].lastIndexOf(':');
    if (localColon < 0 || remoteColon < 0) {
      return false;
    }
    String rowPorts = fields[1].substring(localColon + 1) + " " + fields[2].substring(remoteColon + 1);
    return rowPorts.equals(ports) && remotes.contains(fields[2].substring(0, remoteColon));
  }

  private static String port(int port) {
    return String.format(Locale.ROOT, "%04X", port);
  }

  /**
   * How the kernel writes the address: each 32-bit word of it in the machine's byte order. An IPv4
   * client of a dual-stack listener is in tcp6, as ::ffff:a.b.c.d.
   */
  static List<String> encodings(InetAddress address) {
    List<String> encodings = new ArrayList<>();
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      encodings.add(words(bytes));
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      encodings.add(words(mapped));
    } else {
      encodings.add(words(bytes));
    }
    return encodings;
  }

  private static String words(byte[] bytes) {
    byte[] ordered = bytes.clone();
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      for (int word = 0; word < ordered.length; word += 4) {
        for (int i = 0; i < 4; i++) {
          ordered[word + i] = bytes[word + 3 - i];
        }
      }
    }
    return HexFormat.of().withUpperCase().formatHex(ordered);
  }
}
