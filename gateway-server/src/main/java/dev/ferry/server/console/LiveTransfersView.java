package dev.ferry.server.console;

import dev.ferry.jobs.admin.ListTransfers;
import dev.ferry.jobs.admin.TransferView;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's live card, from the {@code transfers} command: throughput now per protocol (in:
 * uploads, out: downloads) and the uploads in flight with their users and bytes so far. Polled, as
 * the job counts are, so it follows the transfers without a reload.
 */
final class LiveTransfersView {

  /** The client protocols always shown, even idle: an empty row says "nothing moves", not "unknown". */
  private static final List<String> PROTOCOLS = List.of("FTPS", "SFTP");

  private LiveTransfersView() {}

  static String fragment(ListTransfers.Now now) {
    Map<String, long[]> byProtocol = new TreeMap<>();
    PROTOCOLS.forEach(p -> byProtocol.put(p, new long[2]));
    for (ListTransfers.Rate rate : now.rates()) {
      byProtocol.computeIfAbsent(rate.protocol(), p -> new long[2])[rate.direction().equals("upload") ? 0 : 1] +=
          rate.bytesPerSecond();
    }
    StringBuilder html = new StringBuilder("<div id=\"live-transfers\" hx-get=\"/console/dashboard/transfers\" ")
        .append("hx-trigger=\"every 1s\" hx-swap=\"outerHTML\"><h3>Throughput now</h3>")
        .append("<p class=\"hint\">over the last ").append(now.windowSeconds()).append(" s</p>")
        .append("<table id=\"throughput\" class=\"counts\"><tr><th></th><th>in</th><th>out</th></tr>");
    byProtocol.forEach((protocol, inOut) -> html.append("<tr data-protocol=\"").append(Html.text(protocol))
        .append("\"><th>").append(Html.text(protocol)).append("</th><td class=\"in\" data-bytes=\"").append(inOut[0])
        .append("\">").append(JobProgress.size(inOut[0])).append("/s</td><td class=\"out\" data-bytes=\"")
        .append(inOut[1]).append("\">").append(JobProgress.size(inOut[1])).append("/s</td></tr>"));
    List<TransferView> uploads = now.open().stream().filter(t -> t.direction().equals("upload")).toList();
    html.append("</table><h3>Uploads in flight: <span id=\"uploads-in-flight\">").append(uploads.size())
        .append("</span></h3><table id=\"uploads\" class=\"uploads\">");
    for (TransferView upload : uploads) {
      html.append("<tr class=\"upload\" data-path=\"").append(Html.text(upload.path())).append("\" data-bytes=\"")
          .append(upload.bytes()).append("\"><td>").append(Html.text(upload.path())).append("</td><td>")
          .append(Html.text(upload.user())).append(" (").append(Html.text(upload.protocol())).append(")</td><td>")
          .append(JobProgress.size(upload.bytes())).append("</td></tr>");
    }
    return html.append("</table></div>").toString();
  }
}
