package dev.ferry.ftps.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host a PORT or EPRT asks the server to connect its data connection to, as the IP literal
 * the command carries (RFC 959's h1,h2,h3,h4,p1,p2; RFC 2428's |family|address|port|), so that it
 * can be held to the client's own address before FtpServer connects anywhere.
 */
public final class ActiveTarget {

  private static final Pattern PORT = Pattern.compile("\\s*(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),\\d{1,3},\\d{1,3}\\s*");
  private static final Pattern EPRT = Pattern.compile("(.)([12])\\1([0-9A-Fa-f:.]+)\\1\\d{1,5}\\1");

  private ActiveTarget() {}

  /** The literal host of {@code argument}, or null when it is not a well-formed PORT or EPRT argument. */
  public static String host(String command, String argument) {
    if (argument == null) {
      return null;
    }
    if (command.equals("PORT")) {
      Matcher m = PORT.matcher(argument);
      return m.matches() ? ipv4(m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4)) : null;
    }
    Matcher m = EPRT.matcher(argument);
    if (!m.matches()) {
      return null;
    }
    return m.group(2).equals("1") ? ipv4(m.group(3)) : m.group(3).contains(":") ? m.group(3) : null;
  }

  /** {@code text} when it is four decimal bytes; else null (the JDK would look other forms up by name). */
  private static String ipv4(String text) {
    String[] bytes = text.split("\\.", -1);
    if (bytes.length != 4) {
      return null;
    }
    for (String b : bytes) {
      if (!b.matches("\\d{1,3}") || Integer.parseInt(b) > 255) {
        return null;
      }
    }
    return text;
  }
}
