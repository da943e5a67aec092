package dev.ferry.core.session;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The PROXY protocol header a balancer writes before a connection's own bytes, in both versions
 * HAProxy sends ({@code send-proxy}: the text line of version 1; {@code send-proxy-v2}: the binary
 * block of version 2), as its specification (haproxy.org's proxy-protocol.txt) defines them. Only
 * the source address is kept: it is the client's.
 */
public final class ProxyHeader {

  private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  /** Version 1's longest line, CRLF included. */
  private static final int V1_MAX = 107;
  private static final int V2_FIXED = 16;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  private ProxyHeader() {}

  /** What the bytes read so far at a connection's start are. */
  public sealed interface Result {}

  /** The bytes may still become a header: at least {@code length} bytes in all are needed to tell. */
  public record NeedMore(int length) implements Result {}

  /** The bytes cannot begin a header: they are the connection's own. */
  public record NotAHeader() implements Result {}

  /** The bytes begin like a header but break its rules. */
  public record Invalid(String reason) implements Result {}

  /**
   * A whole header of {@code length} bytes. {@code source} is the client's address, or null when
   * the header names none (version 2's LOCAL, a balancer's own health check; version 1's UNKNOWN;
   * a family other than TCP over IPv4 or IPv6): the connection then speaks for itself.
   */
  public record Parsed(InetSocketAddress source, int length) implements Result {}

  /** Reads {@code bytes} from its position to its limit, without moving either. */
  public static Result parse(ByteBuffer bytes) {
    ByteBuffer in = bytes.slice();
    if (!in.hasRemaining()) {
      return new NeedMore(1);
    }
    if (startsWith(in, V2_SIGNATURE)) {
      return in.remaining() < V2_SIGNATURE.length ? new NeedMore(V2_FIXED) : parseV2(in);
    }
    if (startsWith(in, V1_PREFIX)) {
      return in.remaining() < V1_PREFIX.length ? new NeedMore(V1_PREFIX.length) : parseV1(in);
    }
    return new NotAHeader();
  }

  /**
   * Reads one header from a blocking stream and not a byte past it (what follows is the
   * connection's own, read by TLS or a copy loop next). The stream's read timeout bounds the wait.
   */
  public static Result read(InputStream in) throws IOException {
    byte[] read = new byte[V2_FIXED];
    int have = 0;
    while (true) {
      Result result = parse(ByteBuffer.wrap(read, 0, have));
      if (!(result instanceof NeedMore more)) {
        return result;
      }
      // Version 1 ends at a CRLF that is not announced: one byte at a time, at most 107.
      int want = have > 0 && read[0] == 'P' ? have + 1 : more.length();
      if (want > read.length) {
        read = Arrays.copyOf(read, Math.max(want, read.length * 2));
      }
      int n = in.readNBytes(read, have, want - have);
      if (n < want - have) {
        throw new EOFException("connection closed inside its PROXY protocol header");
      }
      have = want;
    }
  }

  private static boolean startsWith(ByteBuffer in, byte[] prefix) {
    int n = Math.min(in.remaining(), prefix.length);
    for (int i = 0; i < n; i++) {
      if (in.get(i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static Result parseV1(ByteBuffer in) {
    int end = -1;
    for (int i = V1_PREFIX.length; i < Math.min(in.remaining(), V1_MAX); i++) {
      if (in.get(i) == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      return in.remaining() >= V1_MAX ? new Invalid("version 1 line longer than " + V1_MAX + " bytes")
          : new NeedMore(in.remaining() + 1);
    }
    if (in.get(end - 1) != '\r') {
      return new Invalid("version 1 line does not end with CRLF");
    }
    byte[] line = new byte[end - 1];
    in.get(0, line);
    String[] words = new String(line, StandardCharsets.US_ASCII).split(" ", -1);
    int length = end + 1;
    if (words.length >= 2 && words[1].equals("UNKNOWN")) {
      return new Parsed(null, length);
    }
    if (words.length != 6 || !(words[1].equals("TCP4") || words[1].equals("TCP6"))) {
      return new Invalid("version 1 line is not 'PROXY TCP4|TCP6 source destination sport dport'");
    }
    Pattern family = words[1].equals("TCP4") ? IPV4 : IPV6;
    if (!family.matcher(words[2]).matches() || !family.matcher(words[3]).matches()) {
      return new Invalid("version 1 addresses are not " + words[1] + " addresses");
    }
    if (!PORT.matcher(words[4]).matches() || Integer.parseInt(words[4]) > 65535
        || !PORT.matcher(words[5]).matches() || Integer.parseInt(words[5]) > 65535) {
      return new Invalid("version 1 ports are not numbers from 0 to 65535");
    }
    try {
      // Literals only (checked above): no name is looked up.
      return new Parsed(new InetSocketAddress(InetAddress.getByName(words[2]), Integer.parseInt(words[4])), length);
    } catch (UnknownHostException e) {
      return new Invalid("version 1 source address '" + words[2] + "' is not an address");
    }
  }

  private static Result parseV2(ByteBuffer in) {
    if (in.remaining() < V2_FIXED) {
      return new NeedMore(V2_FIXED);
    }
    int versionCommand = in.get(12) & 0xFF;
    int family = in.get(13) & 0xFF;
    int length = V2_FIXED + (in.getShort(14) & 0xFFFF);
    if (versionCommand >> 4 != 2) {
      return new Invalid("version 2 block of version " + (versionCommand >> 4));
    }
    int command = versionCommand & 0x0F;
    if (command > 1) {
      return new Invalid("version 2 command " + command + " is neither LOCAL nor PROXY");
    }
    if (in.remaining() < length) {
      return new NeedMore(length);
    }
    if (command == 0) {
      return new Parsed(null, length);
    }
    int addressLength = switch (family) {
      case 0x11 -> 4;
      case 0x21 -> 16;
      default -> 0; // UNSPEC, UDP or UNIX: nothing Ferry can key a client by
    };
    if (addressLength == 0) {
      return new Parsed(null, length);
    }
    if (length - V2_FIXED < 2 * addressLength + 4) {
      return new Invalid("version 2 block too short for its addresses");
    }
    byte[] source = new byte[addressLength];
    in.get(V2_FIXED, source);
    int port = in.getShort(V2_FIXED + 2 * addressLength) & 0xFFFF;
    try {
      return new Parsed(new InetSocketAddress(InetAddress.getByAddress(source), port), length);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }
}
