package dev.ferry.ftps.command;

import dev.ferry.core.vfs.ChecksumAlgorithm;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * The algorithm a session's HASH answers with (draft-bryan-ftpext-hash): SHA-256 until the client
 * chooses another with {@code OPTS HASH}. SHA-256 first, since Ferry records it for every file it
 * writes and answers it without reading the file.
 */
final class HashSelection {

  private static final String ATTRIBUTE = HashSelection.class.getName();

  private HashSelection() {}

  static ChecksumAlgorithm of(FtpIoSession session) {
    return session.getAttribute(ATTRIBUTE) instanceof ChecksumAlgorithm chosen ? chosen : ChecksumAlgorithm.SHA_256;
  }

  static void choose(FtpIoSession session, ChecksumAlgorithm algorithm) {
    session.setAttribute(ATTRIBUTE, algorithm);
  }

  /** FEAT's line: every algorithm, the session's choice marked with a star ("HASH SHA-256*;SHA-1;MD5"). */
  static String feature(FtpIoSession session) {
    ChecksumAlgorithm chosen = of(session);
    return "HASH " + Arrays.stream(ChecksumAlgorithm.values())
        .map(algorithm -> algorithm.ianaName() + (algorithm == chosen ? "*" : ""))
        .collect(Collectors.joining(";"));
  }
}
