package dev.ferry.core.quota;

import java.nio.file.FileSystemException;

/**
 * A change refused because it would take a user's home past its quota: FTPS answers 552, SFTP
 * SSH_FX_QUOTA_EXCEEDED (a failure naming the quota for clients of version 3).
 */
public final class QuotaExceededException extends FileSystemException {

  public QuotaExceededException(String path, String reason) {
    super(path, null, reason);
  }
}
