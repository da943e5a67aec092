package dev.ferry.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/** What one command over SSH exec gave, as an operator's {@code ssh host command} sees it (-1: no exit status). */
public record SshExec(int status, String out, String err) {

  /** Runs {@code command} on {@code session} (logged in already) and waits up to {@code timeout} for it to end. */
  public static SshExec run(ClientSession session, String command, Duration timeout) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ChannelExec channel = session.createExecChannel(command)) {
      channel.setOut(out);
      channel.setErr(err);
      channel.open().verify(Duration.ofSeconds(10));
      channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
      Integer status = channel.getExitStatus();
      return new SshExec(status == null ? -1 : status, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    }
  }
}
