package dev.ferry.jobs.admin;

import dev.ferry.core.session.LiveTransfers;
import java.util.Locale;

/**
 * A file a client session has open, as the {@code sessions} and {@code transfers} commands answer
 * it (text and JSON): session, protocol, user, path, direction ("upload", "download"), bytes so far
 * and since when (ISO-8601).
 */
public record TransferView(String session, String protocol, String user, String path, String direction, long bytes,
    String since) {

  static TransferView of(LiveTransfers.Transfer transfer) {
    return new TransferView(transfer.session(), transfer.protocol(), transfer.user(), transfer.path(),
        transfer.direction().name().toLowerCase(Locale.ROOT), transfer.bytes(), transfer.since().toString());
  }

  /** One line of text: "upload /in/a.bin 1048576 bytes". */
  String text() {
    return direction + " " + path + " " + bytes + " bytes";
  }
}
