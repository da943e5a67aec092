package dev.ferry.ftps.reply;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.quota.QuotaExceededException;
import dev.ferry.core.scan.ContentRefusedException;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.vfs.FileBusyException;
import dev.ferry.core.vfs.StorageFailureException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpReply;

/**
 * Turns core errors into FTP replies: the code tells the client whether to retry (4xx) or give up
 * (5xx), the text says what happened to which path.
 */
public final class FtpReplyMapper {

  private FtpReplyMapper() {}

  public static FtpReply replyFor(IOException error) {
    return new DefaultFtpReply(codeFor(error), singleLine(messageOf(error)));
  }

  static int codeFor(IOException error) {
    if (causeOf(error, QuotaExceededException.class) != null) {
      return 552;
    }
    if (error instanceof ContentRefusedException refused) {
      return refused.transientFailure() ? 451 : 550;
    }
    if (error instanceof BadPathException) {
      return 553;
    }
    if (error instanceof FileBusyException) {
      return 450;
    }
    if (error instanceof StorageFailureException || hasStoreCause(error)) {
      return refusedByStore(error) ? 550 : 451;
    }
    if (error instanceof AccessDeniedException || error instanceof FileSystemException) {
      return 550;
    }
    return 451;
  }

  /**
   * A data transfer that failed: the data connection broke (426), S3 failed (451: try again later),
   * or S3 refused the request itself (550: the same request will be refused again, e.g. a KMS key
   * S3 does not know or a bucket policy that denies the write), so clients such as lftp do not
   * retry it for ever. A permission found missing only at the end (an upload by a user who may not
   * overwrite, onto a name another S3 client took during the transfer) is a refusal too: 550.
   */
  public static FtpReply transferFailed(String operation, IOException error, boolean nothingStored) {
    String suffix = nothingStored ? "; nothing was stored" : "";
    QuotaExceededException quota = causeOf(error, QuotaExceededException.class);
    if (quota != null) {
      // 552: "exceeded storage allocation"; the data connection's wrapping is left out of the words.
      return new DefaultFtpReply(552, singleLine(operation + " refused: " + messageOf(quota) + suffix));
    }
    if (error instanceof ContentRefusedException refused) {
      // 550: the same file will be refused again (the reason names the signature clamd found, or
      // the limit it is over); 451 when clamd was down or slow: try again later.
      return new DefaultFtpReply(refused.transientFailure() ? 451 : 550, singleLine(operation + " failed: "
          + messageOf(error) + suffix));
    }
    if (hasStoreCause(error)) {
      return new DefaultFtpReply(refusedByStore(error) ? 550 : 451, singleLine(operation + " failed, storage error: "
          + messageOf(error) + suffix));
    }
    AccessDeniedException denied = causeOf(error, AccessDeniedException.class);
    if (denied != null) {
      return new DefaultFtpReply(550, singleLine(operation + " refused: " + messageOf(denied) + suffix));
    }
    return new DefaultFtpReply(426, singleLine(operation + " aborted: " + messageOf(error) + suffix));
  }

  public static boolean hasStoreCause(Throwable error) {
    return causeOf(error, StoreException.class) != null || causeOf(error, StorageFailureException.class) != null;
  }

  /** The first of {@code error} and its causes that is a {@code type}, or null. */
  private static <T extends Throwable> T causeOf(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** Whether S3 answered the request with a refusal (access denied, a 4xx), not an outage. */
  static boolean refusedByStore(Throwable error) {
    StoreException store = causeOf(error, StoreException.class);
    return store != null
        && (store.kind() == StoreException.Kind.REJECTED || store.kind() == StoreException.Kind.ACCESS_DENIED);
  }

  private static String messageOf(IOException error) {
    if (error instanceof FileSystemException fse) {
      String reason = fse.getReason();
      String file = fse.getFile();
      String other = fse.getOtherFile();
      StringBuilder text = new StringBuilder();
      if (file != null) {
        text.append(file);
      }
      if (other != null) {
        text.append(" -> ").append(other);
      }
      if (reason != null) {
        text.append(text.length() > 0 ? ": " : "").append(reason);
      }
      return text.toString();
    }
    return String.valueOf(error.getMessage());
  }

  /** Reply text must stay on one line: a CR or LF in it would forge a second reply. */
  public static String singleLine(String text) {
    return text.replace('\r', ' ').replace('\n', ' ');
  }
}
