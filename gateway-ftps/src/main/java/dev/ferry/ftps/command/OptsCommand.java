package dev.ferry.ftps.command;

import dev.ferry.core.vfs.ChecksumAlgorithm;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.impl.OPTS;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * OPTS: {@code OPTS HASH [algorithm]} (draft-bryan-ftpext-hash) shows or chooses the session's
 * HASH algorithm; every other option (UTF8, MLST) is FtpServer's.
 */
final class OptsCommand implements Command {

  private final Command others = new OPTS();

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    String argument = request.getArgument() == null ? "" : request.getArgument().trim();
    String[] words = argument.split("\\s+", 2);
    if (!words[0].toUpperCase(Locale.ROOT).equals("HASH")) {
      others.execute(session, context, request);
      return;
    }
    session.resetState();
    if (words.length == 1) {
      session.write(new DefaultFtpReply(200, HashSelection.of(session).ianaName()));
      return;
    }
    Optional<ChecksumAlgorithm> chosen = ChecksumAlgorithm.byName(words[1]);
    if (chosen.isEmpty()) {
      session.write(new DefaultFtpReply(501, "Unknown algorithm, current selection not changed (offered: "
          + Arrays.stream(ChecksumAlgorithm.values()).map(ChecksumAlgorithm::ianaName).collect(Collectors.joining(", "))
          + ")"));
      return;
    }
    HashSelection.choose(session, chosen.get());
    session.write(new DefaultFtpReply(200, chosen.get().ianaName()));
  }
}
