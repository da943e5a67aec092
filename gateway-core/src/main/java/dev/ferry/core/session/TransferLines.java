package dev.ferry.core.session;

import dev.ferry.core.event.SessionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's open files as one text column of the store: a line each, "DIRECTION TAB bytes TAB
 * since-millis TAB path", the path last (it may hold tabs) with backslash and newline escaped.
 */
final class TransferLines {

  private TransferLines() {}

  static String format(List<LiveTransfers.Transfer> transfers) {
    StringBuilder text = new StringBuilder();
    for (LiveTransfers.Transfer t : transfers) {
      text.append(t.direction()).append('\t').append(t.bytes()).append('\t').append(t.since().toEpochMilli())
          .append('\t').append(t.path().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    }
    return text.toString();
  }

  static List<LiveTransfers.Transfer> parse(SessionInfo session, String text) {
    List<LiveTransfers.Transfer> transfers = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] fields = line.split("\t", 4);
      if (fields.length == 4) {
        transfers.add(new LiveTransfers.Transfer(session.id(), session.protocol(), session.user(), unescape(fields[3]),
            LiveTransfers.Direction.valueOf(fields[0]), Long.parseLong(fields[1]),
            Instant.ofEpochMilli(Long.parseLong(fields[2]))));
      }
    }
    return transfers;
  }

  private static String unescape(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' && i + 1 < path.length()) {
        out.append(path.charAt(++i) == 'n' ? '\n' : path.charAt(i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
