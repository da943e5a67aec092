package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.SshTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Ferry on its embedded store, killed (SIGKILL) mid multipart upload and started again at once:
 * the start itself aborts the upload the killed run left. Before, the start sweep waited for the
 * upload to be an hour old (uploads.orphanAge), and later for the killed run's lease to lapse.
 */
class CrashRestartIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  private static final String PASSWORD = "crash-restart-Pa55";
  private static final int MIB = 1024 * 1024;

  @TempDir
  Path dir;

  @Test
  void killedMidUpload_restartedAtOnce_theStartAbortsTheUpload() throws Exception {
    String bucket = s3.createBucket();
    String yaml = FerryNode.config(dir.resolve("data"), s3, """
        uploads:
          partSize: 5MiB
          singlePutLimit: 5MiB
          memoryBudget: 32MiB
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/home/
            permissions: [all]
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket));
    try (FerryNode first = FerryNode.start("crashing", dir.resolve("first"), yaml)) {
      ClientSession session = ssh.login("alice", first.sftpPort, PASSWORD);
      SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
      CloseableHandle handle = sftp.open("crashed.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
      byte[] data = new byte[12 * MIB];
      new Random(1).nextBytes(data);
      for (int offset = 0; offset < data.length; offset += 32 * 1024) {
        sftp.write(handle, offset, data, offset, 32 * 1024);
      }
      Await.until(() -> !s3.multipartUploads(bucket).isEmpty(), Duration.ofSeconds(30), "a multipart upload");

      first.kill();
      session.close(true);
    }

    try (FerryNode second = FerryNode.start("restarted", dir.resolve("second"), yaml)) {
      Await.until(() -> s3.multipartUploads(bucket).isEmpty(), Duration.ofSeconds(5),
          "the restarted Ferry to abort the killed run's upload at its start");
      assertTrue(s3.find(bucket, "home/crashed.bin").isEmpty(), "the killed upload left an object");
      assertTrue(second.logText().contains("aborted orphaned multipart upload"), second.logText());
    }
  }
}
