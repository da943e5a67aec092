package dev.ferry.sftp.reply;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.quota.QuotaExceededException;
import dev.ferry.core.vfs.FileBusyException;
import dev.ferry.core.vfs.IsADirectoryException;
import dev.ferry.core.vfs.StorageFailureException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;

/**
 * Core errors as SFTP statuses: the code for the client's logic (no such file, permission denied,
 * failure), the message for the person (which path, which operation, why). A path being written by
 * someone else is a failure that says so; a path that tries to leave the home is permission denied
 * with the reason from core's path rules.
 *
 * <p>Statuses are those of the session's protocol version: version 3, which OpenSSH, paramiko and
 * most clients speak, has codes 0 to 8 only, and a later code (a directory not empty, a file that
 * exists) would show as "Unknown status" there; it is sent as the version 3 code OpenSSH's own
 * server sends for the same errno, with the same message. Versions 4 and 5 get the codes they
 * define, and the same translation for the later ones.
 */
public final class SftpStatusMapper implements SftpErrorStatusDataHandler {

  @Override
  public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
    return inVersion(statusOf(unwrap(e)), subsystem.getVersion());
  }

  /**
   * A status a client of {@code version} knows: version 4 defines codes up to 13 (NO_MEDIA), 5 up to
   * 17 (LOCK_CONFLICT), 6 all; a later code is sent as {@link #inVersion3} sends it.
   */
  static int inVersion(int status, int version) {
    int highest = switch (version) {
      case SftpConstants.SFTP_V3 -> SftpConstants.SSH_FX_OP_UNSUPPORTED;
      case SftpConstants.SFTP_V4 -> SftpConstants.SSH_FX_NO_MEDIA;
      case SftpConstants.SFTP_V5 -> SftpConstants.SSH_FX_LOCK_CONFLICT;
      default -> Integer.MAX_VALUE;
    };
    return status <= highest ? status : inVersion3(status);
  }

  private static int statusOf(Throwable error) {
    if (error instanceof QuotaExceededException) {
      return SftpConstants.SSH_FX_QUOTA_EXCEEDED;
    }
    if (error instanceof BadPathException) {
      return SftpConstants.SSH_FX_PERMISSION_DENIED;
    }
    if (error instanceof FileBusyException || error instanceof StorageFailureException) {
      return SftpConstants.SSH_FX_FAILURE;
    }
    if (error instanceof IsADirectoryException) {
      return SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY;
    }
    return SftpHelper.resolveSubstatus(error);
  }

  static int inVersion3(int status) {
    if (status <= SftpConstants.SSH_FX_OP_UNSUPPORTED) {
      return status;
    }
    return switch (status) {
      case SftpConstants.SSH_FX_NO_SUCH_PATH, SftpConstants.SSH_FX_NOT_A_DIRECTORY, SftpConstants.SSH_FX_INVALID_HANDLE ->
          SftpConstants.SSH_FX_NO_SUCH_FILE;
      case SftpConstants.SSH_FX_WRITE_PROTECT, SftpConstants.SSH_FX_CANNOT_DELETE ->
          SftpConstants.SSH_FX_PERMISSION_DENIED;
      case SftpConstants.SSH_FX_INVALID_FILENAME, SftpConstants.SSH_FX_INVALID_PARAMETER ->
          SftpConstants.SSH_FX_BAD_MESSAGE;
      default -> SftpConstants.SSH_FX_FAILURE;
    };
  }

  @Override
  public String resolveErrorMessage(SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus, int cmd,
      Object... args) {
    return singleLine(messageOf(unwrap(e), subStatus));
  }

  static String messageOf(Throwable error, int subStatus) {
    if (error instanceof FileSystemException fse) {
      // MINA's own checks name the path twice (as sent and as resolved) and word the reason for
      // its developers ("Attributes N/A for target"); the client is told the path and the problem.
      boolean minaCheck = fse.getOtherFile() != null && fse.getOtherFile().equals(fse.getFile());
      StringBuilder text = new StringBuilder();
      if (fse.getFile() != null) {
        text.append(fse.getFile());
      }
      if (fse.getOtherFile() != null && !minaCheck) {
        text.append(" -> ").append(fse.getOtherFile());
      }
      String reason = fse.getReason() != null && !minaCheck ? fse.getReason() : plainReason(fse, subStatus);
      text.append(text.length() > 0 ? ": " : "").append(reason);
      return text.toString();
    }
    String message = error.getMessage();
    return message == null || message.isBlank() ? SftpHelper.resolveStatusMessage(subStatus) : message;
  }

  private static String plainReason(FileSystemException error, int subStatus) {
    if (error instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (error instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (error instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (error instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    return error.getReason() != null ? error.getReason() : SftpHelper.resolveStatusMessage(subStatus);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable error = e;
    while (error instanceof UncheckedIOException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private static String singleLine(String text) {
    return text.replace('\r', ' ').replace('\n', ' ');
  }
}
