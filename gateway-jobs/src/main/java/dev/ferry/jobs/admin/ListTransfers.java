package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.TransferRates;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * transfers: throughput now (bytes per second by protocol and direction over the last few seconds)
 * and the files client sessions have open on this node, with their bytes so far. Read from core's
 * record of open files; nothing is counted for it.
 */
public final class ListTransfers extends AdminCommand<ListTransfers.Now> {


  /** Bytes per second one way on one protocol ("SFTP", "upload"). */
  public record Rate(String protocol, String direction, long bytesPerSecond) {}

  /** The answer: the rates over {@code windowSeconds}, and the open files, oldest first. */
  public record Now(long windowSeconds, List<Rate> rates, List<TransferView> open) {}

  private final LiveTransfers transfers;
  private final TransferRates rates;

  ListTransfers(LiveTransfers transfers, TransferRates rates) {
    super(Syntax.reads("transfers", "transfers", 0));
    this.transfers = transfers;
    this.rates = rates;
  }

  @Override
  public AdminResponse<Now> run(AdminRequest request) {
    List<Rate> perSecond = new ArrayList<>();
    StringBuilder text = new StringBuilder("throughput over the last " + rates.window().toSeconds() + " s:");
    for (Map.Entry<String, Long> rate : rates.perSecond().entrySet()) {
      String[] protocolAndDirection = rate.getKey().split(" ", 2);
      Rate r = new Rate(protocolAndDirection[0], protocolAndDirection[1].toLowerCase(Locale.ROOT), rate.getValue());
      perSecond.add(r);
      text.append("\n  ").append(r.protocol()).append(' ').append(r.direction()).append(' ')
          .append(r.bytesPerSecond()).append(" bytes/s");
    }
    text.append(perSecond.isEmpty() ? " nothing moved\n" : "\n");
    List<TransferView> open = transfers.now().stream().map(TransferView::of).toList();
    text.append(open.isEmpty() ? "no files open\n" : "");
    open.forEach(t -> text.append(t.session()).append("  ").append(t.user()).append("  ").append(t.text())
        .append('\n'));
    return AdminResponse.ok(text.toString(), new Now(rates.window().toSeconds(), perSecond, open));
  }
}
