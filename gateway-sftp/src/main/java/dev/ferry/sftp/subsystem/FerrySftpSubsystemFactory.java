package dev.ferry.sftp.subsystem;

import java.io.IOException;
import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.UnsupportedAttributePolicy;

/** Makes {@link FerrySftpSubsystem}s, registering listeners as MINA's own factory does. */
public final class FerrySftpSubsystemFactory extends SftpSubsystemFactory {

  /** How the extension is advertised in the SFTP version reply, with OpenSSH's version number. */
  public static final String STATVFS_ADVERTISED = FerrySftpSubsystem.STATVFS + "=2";
  /** Names for the ids in OpenSSH's {@code ls -l}, with OpenSSH's version number. */
  public static final String USERS_GROUPS_BY_ID_ADVERTISED = FerrySftpSubsystem.USERS_GROUPS_BY_ID + "=1";

  private final int maxOpenHandles;
  private final SftpBuffers buffers;

  /**
   * {@code maxOpenHandles}: files and directories one SFTP session may have open at once
   * (sftp.maxOpenHandles); {@code windowSize}: the channel window (sftp.windowSize), what one
   * uploading session can have queued, and what each size of pooled SFTP buffers keeps idle.
   */
  public FerrySftpSubsystemFactory(int maxOpenHandles, long windowSize) {
    this.maxOpenHandles = maxOpenHandles;
    this.buffers = new SftpBuffers(windowSize);
    // S3 has no modes or owners: the permissions sshfs, paramiko and OpenSSH send with every mkdir
    // and chmod are accepted and not kept (as SFTPGo does for cloud storage), where MINA's default
    // wrote a WARN line for each.
    setUnsupportedAttributePolicy(UnsupportedAttributePolicy.Ignore);
  }

  @Override
  public Command createSubsystem(ChannelSession channel) throws IOException {
    FerrySftpSubsystem subsystem = new FerrySftpSubsystem(channel, this, maxOpenHandles, buffers);
    GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
    return subsystem;
  }
}
