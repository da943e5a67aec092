package dev.ferry.sftp.subsystem;

import dev.ferry.sftp.nio.WriteChannel;
import java.io.IOException;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits an uploaded file when, and only when, the client closes its handle (SSH_FXP_CLOSE):
 * MINA calls {@link #closing} for that request alone. Handles MINA closes because the channel
 * ended ({@code closeAllHandles}, after {@link #exiting}) are only closed, which aborts them: a
 * disconnect never publishes a partial file. A failed commit is the close request's error reply.
 */
public final class CommitOnClose implements SftpEventListener {

  private static final Logger log = LoggerFactory.getLogger(CommitOnClose.class);

  @Override
  public void closing(ServerSession session, String remoteHandle, Handle localHandle) throws IOException {
    if (localHandle instanceof FileHandle file && file.getFileChannel() instanceof WriteChannel upload) {
      upload.commit();
    }
  }

  @Override
  public void exiting(ServerSession session, Handle handle) {
    if (handle instanceof FileHandle file && file.getFileChannel() instanceof WriteChannel) {
      log.info("SFTP session {} ended with {} still open: the upload is aborted", session.getUsername(),
          file.getFile());
    }
  }
}
