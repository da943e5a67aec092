package dev.ferry.sftp.command;

import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An exec command that runs on a thread of its own, so the SSH I/O thread never waits for S3 or
 * the admin console: {@link #run()} writes to {@link #out} and {@link #err} and ends with
 * {@link #exit}.
 */
abstract class ExecOnItsThread implements Command {

  private final String threadName;
  protected InputStream in;
  protected OutputStream out;
  protected OutputStream err;
  protected ExitCallback exit;

  ExecOnItsThread(String threadName) {
    this.threadName = threadName;
  }

  abstract void run();

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exit = callback;
  }

  @Override
  public void setInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void start(ChannelSession channel, Environment env) {
    Thread thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void destroy(ChannelSession channel) {
    // the command finishes on its own thread; what it still writes has nowhere to go
  }
}
