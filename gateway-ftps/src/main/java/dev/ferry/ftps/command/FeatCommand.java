package dev.ferry.ftps.command;

import java.util.ArrayList;
import java.util.List;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * FEAT (RFC 2389): the extensions Ferry answers. FtpServer's own list also names MD5, MMD5 and LANG,
 * which fail here (its MD5 reads the file as a local one, and the failure closed the session);
 * Ferry's lists only what works, with PBSZ and PROT as RFC 4217 asks of a server with AUTH, and
 * the digests: HASH with the session's choice starred, and the legacy XSHA256, XSHA1 and XMD5.
 */
final class FeatCommand implements Command {

  private static final List<String> FEATURES = List.of("AUTH TLS", "AUTH SSL", "PBSZ", "PROT", "SIZE", "MDTM", "MFMT",
      "REST STREAM", "MLST type*;size*;modify*;perm*", "UTF8", "TVFS", "EPSV", "EPRT",
      "XSHA256", "XSHA1", "XMD5");

  private final List<String> features;

  /** {@code deflateOffered}: list MODE Z ({@code ftps.modeZ}); see {@link ModeCommand} for why it is off by default. */
  FeatCommand(boolean deflateOffered) {
    List<String> features = new ArrayList<>(FEATURES);
    if (deflateOffered) {
      features.add("MODE Z");
    }
    this.features = List.copyOf(features);
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    List<String> lines = new ArrayList<>(features);
    lines.add(HashSelection.feature(session));
    session.write(new DefaultFtpReply(211, "Extensions supported\n " + String.join("\n ", lines) + "\nEnd"));
  }
}
