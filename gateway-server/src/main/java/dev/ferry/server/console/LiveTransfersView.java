package dev.ferry.server.console;

import dev.ferry.jobs.admin.ListTransfers;
import dev.ferry.jobs.admin.TransferView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's live card (liveTransfers.jte), from the {@code transfers} command: throughput now
 * per protocol (in: uploads, out: downloads) and the uploads in flight with their users and bytes so
 * far; or, when the command was refused, why ({@code error}, else null). Polled, as the job counts
 * are, so it follows the transfers without a reload.
 */
record LiveTransfersView(long windowSeconds, List<Throughput> throughput, List<TransferView> uploads, String error) {

  /** Bytes a second in and out over the window, for one protocol. */
  record Throughput(String protocol, long in, long out) {}

  /** The client protocols always shown, even idle: an empty row says "nothing moves", not "unknown". */
  private static final List<String> PROTOCOLS = List.of("FTPS", "SFTP");

  static LiveTransfersView of(ListTransfers.Now now) {
    Map<String, long[]> byProtocol = new TreeMap<>();
    PROTOCOLS.forEach(p -> byProtocol.put(p, new long[2]));
    for (ListTransfers.Rate rate : now.rates()) {
      byProtocol.computeIfAbsent(rate.protocol(), p -> new long[2])[rate.direction().equals("upload") ? 0 : 1] +=
          rate.bytesPerSecond();
    }
    List<Throughput> throughput = new ArrayList<>();
    byProtocol.forEach((protocol, inOut) -> throughput.add(new Throughput(protocol, inOut[0], inOut[1])));
    List<TransferView> uploads = now.open().stream().filter(t -> t.direction().equals("upload")).toList();
    return new LiveTransfersView(now.windowSeconds(), throughput, uploads, null);
  }

  static LiveTransfersView refused(String why) {
    return new LiveTransfersView(0, List.of(), List.of(), why);
  }
}
