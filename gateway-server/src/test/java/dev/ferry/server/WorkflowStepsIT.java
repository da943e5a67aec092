package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.transfer.TransferSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow steps beyond copy, move and notify, in a whole Ferry with real clients: zips uploaded
 * by lftp unpacked through their central directory, failed runs moving their object to quarantine,
 * and a push to a real sshd that the steps after it wait for.
 */
class WorkflowStepsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  String preamble(String bucket, OpenSshSftp client) {
    return WorkflowsIT.preamble(dir, s3, bucket, client);
  }

  static List<JobRecord> runs(FerryServer ferry, String workflow) {
    return WorkflowsIT.runs(ferry, workflow);
  }

  /**
   * Zips made by python's zipfile (nested folders, a unicode name, a stored and a deflated entry)
   * and a .gz, uploaded by lftp with its defaults: every file exact. A zip with a ../ entry and a
   * truncated zip fail with their reason and go to the workflow's quarantine, nothing written.
   */
  @Test
  void decompress_zipsUploadedByLftp_exactOrQuarantinedWithTheReason() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    String yaml = preamble(bucket, client) + """
        workflows:
          - name: unzip
            match:
              path: "/drop/*"
            steps:
              - decompress: s3://%s/unpacked/
            quarantine: s3://%s/quarantine/
        """.formatted(bucket, bucket);
    byte[] big = new byte[3 << 20];
    new Random(17).nextBytes(big);
    Path bigFile = Files.write(dir.resolve("big.bin"), big);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      lines.append("2026-11-24T08:00:00Z line ").append(i).append(" of the log\n");
    }
    Path log = Files.writeString(dir.resolve("log.txt"), lines);
    Path zip = dir.resolve("nested.zip");
    OpenSshSftp.run(List.of("/usr/bin/python3", "-c", """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('a/', '')
            z.writestr('a/b/c/deep.txt', 'deep in the tree\\n')
            z.writestr('résumé ✓ 東京.txt', 'unicode names survive\\n')
            z.write(sys.argv[2], 'data/big.bin', compress_type=zipfile.ZIP_STORED)
            z.write(sys.argv[3], 'data/log.txt')
        """, zip.toString(), bigFile.toString(), log.toString()));
    Path slip = dir.resolve("slip.zip");
    OpenSshSftp.run(List.of("/usr/bin/python3", "-c", """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('fine.txt', 'x\\n')
            z.writestr('../evil.txt', 'x\\n')
        """, slip.toString()));
    Path truncated = Files.write(dir.resolve("truncated.zip"),
        java.util.Arrays.copyOf(Files.readAllBytes(zip), Files.readAllBytes(zip).length / 2));
    Path gz = dir.resolve("log.txt.gz");
    OpenSshSftp.run(List.of("gzip", "-k", log.toString()));

    FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    try {
      Lftp lftp = new Lftp(ferry.ftps().port(), "partner", WorkflowsIT.PASSWORD);
      lftp.put(zip, "drop/nested.zip");
      lftp.put(slip, "drop/slip.zip");
      lftp.put(truncated, "drop/truncated.zip");
      lftp.put(gz, "drop/log.txt.gz");
      Await.until(() -> runs(ferry, "unzip").size() == 4 && runs(ferry, "unzip").stream()
          .allMatch(j -> j.state().isFinal()), Duration.ofSeconds(120), "the four unzip jobs to end");

      assertArrayEquals(big, s3.read(bucket, "unpacked/partner/data/big.bin"));
      assertArrayEquals(Files.readAllBytes(log), s3.read(bucket, "unpacked/partner/data/log.txt"));
      assertEquals("deep in the tree\n", text(bucket, "unpacked/partner/a/b/c/deep.txt"));
      assertEquals("unicode names survive\n", text(bucket, "unpacked/partner/résumé ✓ 東京.txt"));
      assertArrayEquals(Files.readAllBytes(log), s3.read(bucket, "unpacked/partner/log.txt"));
      assertTrue(s3.find(bucket, "partner/drop/nested.zip").isPresent(), "a decompressed original is kept");

      Map<String, JobRecord> byObject = new HashMap<>();
      runs(ferry, "unzip").forEach(j -> byObject.put(j.spec().source(), j));
      String drop = "s3://" + bucket + "/partner/drop/";
      assertEquals(JobState.DONE, byObject.get(drop + "nested.zip").state());
      assertEquals(JobState.DONE, byObject.get(drop + "log.txt.gz").state());
      JobRecord slipped = byObject.get(drop + "slip.zip");
      assertEquals(JobState.FAILED, slipped.state());
      assertTrue(slipped.lastError().contains("'../evil.txt' would be written outside"), slipped.lastError());
      assertTrue(slipped.lastError().contains("moved to quarantine s3://" + bucket + "/quarantine/partner/slip.zip"),
          slipped.lastError());
      assertTrue(s3.find(bucket, "unpacked/partner/fine.txt").isEmpty(), "every name is checked before anything is written");
      assertTrue(s3.keys(bucket, "").stream().noneMatch(k -> k.contains("evil")), s3.keys(bucket, "").toString());
      JobRecord cut = byObject.get(drop + "truncated.zip");
      assertEquals(JobState.FAILED, cut.state());
      assertTrue(cut.lastError().contains("not a whole archive"), cut.lastError());
      assertEquals(1, cut.attempts(), "a corrupt archive is not tried again");

      assertArrayEquals(Files.readAllBytes(slip), s3.read(bucket, "quarantine/partner/slip.zip"));
      assertArrayEquals(Files.readAllBytes(truncated), s3.read(bucket, "quarantine/partner/truncated.zip"));
      assertTrue(s3.find(bucket, "partner/drop/slip.zip").isEmpty(), "moved to quarantine");
      assertTrue(s3.find(bucket, "partner/drop/truncated.zip").isEmpty(), "moved to quarantine");
      assertTrue(s3.multipartUploads(bucket).isEmpty(), "no multipart upload left");
      assertEquals(0, ferry.gateway().uploads().budget().reservedBytes(),
          "the steps' windows and buffers, held from the upload memory budget, are given back");
    } finally {
      ferry.stop();
    }
  }

  /**
   * Three uploads named report.csv.gz, from two folders of one user and from a second user: three
   * outputs, each under its user and folder; none replaces another.
   */
  @Test
  void decompress_sameNameFromTwoFoldersAndTwoUsers_keepsEveryOutput() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    String yaml = preamble(bucket, client) + """
          - name: other
            home: s3://%s/other/
            permissions: [all]
            passwordHash: "%s"
        workflows:
          - name: gunzip
            match:
              path: "*.gz"
            steps:
              - decompress: s3://%s/unpacked/
        """.formatted(bucket, PasswordHasher.hash(WorkflowsIT.PASSWORD.toCharArray()), bucket);
    Map<String, Path> files = new java.util.LinkedHashMap<>();
    for (String who : List.of("partner-a", "partner-b", "other-a")) {
      Path plain = Files.writeString(Files.createDirectories(dir.resolve(who)).resolve("report.csv"), "from " + who + "\n");
      OpenSshSftp.run(List.of("gzip", "-k", plain.toString()));
      files.put(who, plain.resolveSibling("report.csv.gz"));
    }
    FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    try {
      new Lftp(ferry.ftps().port(), "partner", WorkflowsIT.PASSWORD).put(files.get("partner-a"), "a/report.csv.gz");
      new Lftp(ferry.ftps().port(), "partner", WorkflowsIT.PASSWORD).put(files.get("partner-b"), "b/report.csv.gz");
      new Lftp(ferry.ftps().port(), "other", WorkflowsIT.PASSWORD).put(files.get("other-a"), "a/report.csv.gz");
      Await.until(() -> runs(ferry, "gunzip").size() == 3 && runs(ferry, "gunzip").stream()
          .allMatch(j -> j.state().isFinal()), Duration.ofSeconds(120), "the three gunzip jobs to end");
      assertEquals("from partner-a\n", text(bucket, "unpacked/partner/a/report.csv"));
      assertEquals("from partner-b\n", text(bucket, "unpacked/partner/b/report.csv"));
      assertEquals("from other-a\n", text(bucket, "unpacked/other/a/report.csv"));
    } finally {
      ferry.stop();
    }
  }

  private static String text(String bucket, String key) {
    return new String(s3.read(bucket, key), StandardCharsets.UTF_8);
  }

  /**
   * A push step queues one transfer to a real sshd and the delete after it waits for the transfer
   * to be done: the file arrives exact, then leaves S3, and one transfer job did it.
   */
  @Test
  void push_thenDelete_fileOnTheRemoteExactThenDeletedByOneTransfer() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    Path remote = Files.createDirectories(dir.resolve("remote/in"));
    try (OpenSshServer sshd = new OpenSshServer(dir.resolve("sshd"))) {
      String yaml = preamble(bucket, client) + EmbeddedFerry.remote("backup", sshd, dir.resolve("remote")) + """
          workflows:
            - name: deliver
              match:
                path: "/out/*"
              steps:
                - push: backup:%s
                  parts: 2
                - delete: true
          """.formatted(remote);
      byte[] data = new byte[(5 << 20) + 3];
      new Random(23).nextBytes(data);
      Path local = Files.write(dir.resolve("report.bin"), data);

      FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
      try {
        client.batch(ferry.sftp().port(), "partner", "mkdir out", "put " + local + " out/report.bin");
        Await.until(() -> runs(ferry, "deliver").size() == 1 && runs(ferry, "deliver").get(0).state().isFinal(),
            Duration.ofSeconds(120), "the deliver job to end");
        JobRecord run = runs(ferry, "deliver").get(0);
        assertEquals(JobState.DONE, run.state(), String.valueOf(run.lastError()));
        assertArrayEquals(data, Files.readAllBytes(remote.resolve("report.bin")));
        assertTrue(s3.find(bucket, "partner/out/report.bin").isEmpty(), "deleted after the push was done");

        List<JobRecord> transfers = ferry.jobs().list(null).stream()
            .filter(j -> j.spec() instanceof TransferSpec).toList();
        assertEquals(1, transfers.size(), transfers.toString());
        TransferSpec transfer = (TransferSpec) transfers.get(0).spec();
        assertEquals(JobState.DONE, transfers.get(0).state());
        assertEquals(2, transfer.parts());
        assertEquals("workflow deliver " + ((dev.ferry.jobs.workflow.WorkflowSpec) run.spec()).eventId() + " step 1",
            transfer.runOf());
      } finally {
        ferry.stop();
      }

      String unknownHost = yaml.replace("- push: backup:", "- push: elsewhere:");
      ConfigException e = assertThrows(ConfigException.class,
          () -> EmbeddedFerry.start(dir, unknownHost, Map.of()).stop());
      assertTrue(e.getMessage().contains("workflows[0].steps[0].push") && e.getMessage().contains("elsewhere"),
          e.getMessage());
      String relative = yaml.replace("- push: backup:" + remote, "- push: backup:remote/in");
      e = assertThrows(ConfigException.class, () -> EmbeddedFerry.start(dir, relative, Map.of()).stop());
      assertTrue(e.getMessage().contains("workflows[0].steps[0].push"), e.getMessage());
    }
  }
}
