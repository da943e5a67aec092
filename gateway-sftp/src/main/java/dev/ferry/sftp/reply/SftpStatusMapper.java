package dev.ferry.sftp.reply;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.vfs.FileBusyException;
import dev.ferry.core.vfs.StorageFailureException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
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
 * server sends for the same errno, with the same message.
 */
public final class SftpStatusMapper implements SftpErrorStatusDataHandler {

  @Override
  public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
    int status = statusOf(unwrap(e));
    return subsystem.getVersion() <= SftpConstants.SFTP_V3 ? inVersion3(status) : status;
  }

  private static int statusOf(Throwable error) {
    if (error instanceof BadPathException) {
      return SftpConstants.SSH_FX_PERMISSION_DENIED;
    }
    if (error instanceof FileBusyException || error instanceof StorageFailureException) {
      return SftpConstants.SSH_FX_FAILURE;
    }
    return SftpHelper.resolveSubstatus(error);
  }

  static int inVersion3(int status) {
    if (status <= SftpConstants.SSH_FX_OP_UNSUPPORTED) {
      return status;
    }
    return switch (status) {
      case SftpConstants.SSH_FX_NO_SUCH_PATH -> SftpConstants.SSH_FX_NO_SUCH_FILE;
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
      StringBuilder text = new StringBuilder();
      if (fse.getFile() != null) {
        text.append(fse.getFile());
      }
      if (fse.getOtherFile() != null) {
        text.append(" -> ").append(fse.getOtherFile());
      }
      String reason = fse.getReason();
      if (reason != null) {
        text.append(text.length() > 0 ? ": " : "").append(reason);
      } else {
        text.append(text.length() > 0 ? ": " : "").append(SftpHelper.resolveStatusMessage(subStatus));
      }
      return text.toString();
    }
    String message = error.getMessage();
    return message == null || message.isBlank() ? SftpHelper.resolveStatusMessage(subStatus) : message;
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
