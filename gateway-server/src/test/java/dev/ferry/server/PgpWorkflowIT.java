package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow steps decrypt and encrypt against GnuPG: files gpg encrypted to Ferry's key
 * (compressed and not, armored and binary, to several recipients, signed) and uploaded by lftp
 * decrypt byte-exact; a file for another key, a truncated one, an unsigned one or one signed by a
 * key verifyWith does not hold fail the step with the reason and write nothing; a file Ferry
 * encrypts to a partner's key decrypts with gpg byte-exact. Keys unreadable at start refuse it,
 * naming the key.
 */
class PgpWorkflowIT {

  static final String PASSWORD = "pgp-Pa55word";
  static final String FERRY_PASSPHRASE = "ferry key passphrase";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static Gpg gpg;
  static FerryServer ferry;
  static String bucket;
  static byte[] data;
  static Path partnerKey;
  static Path rsaKey;
  static Path ferrySecret;

  @BeforeAll
  static void start() throws Exception {
    gpg = new Gpg(dir.resolve("gnupg"));
    gpg.newKey("ferry@example.test", FERRY_PASSPHRASE);
    gpg.newKey("partner@example.test", "");
    gpg.newKey("other@example.test", "");
    ferrySecret = gpg.exportSecret("ferry@example.test", FERRY_PASSPHRASE, dir.resolve("ferry-secret.asc"));
    partnerKey = gpg.exportPublic("partner@example.test", dir.resolve("partner.asc"));
    // An RSA key whose primary signs and certifies only, with a subkey that encrypts: RSA is an
    // encryption algorithm either way, so only the key flags tell the two apart.
    gpg.run("", "--quick-gen-key", "rsa <rsa@example.test>", "rsa3072", "sign,cert", "never");
    String rsaFingerprint = gpg.run("", "--with-colons", "--list-keys", "rsa@example.test").lines()
        .filter(line -> line.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
    gpg.run("", "--quick-add-key", rsaFingerprint, "rsa3072", "encr", "never");
    rsaKey = gpg.exportPublic("rsa@example.test", dir.resolve("rsa.asc"));
    bucket = s3.createBucket();
    ferry = EmbeddedFerry.start(dir, EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        jobs:
          retryBackoff: 200ms
          maxAttempts: 2
        users:
          - name: partner
            home: s3://%1$s/partner/
            permissions: [all]
            passwordHash: "%2$s"
        workflows:
          - name: decrypt-any
            match: { path: "/pgp/*" }
            steps:
              - decrypt: s3://%1$s/decrypted/
                privateKey: %3$s
                passphrase: ${FERRY_PGP_PASSPHRASE}
          - name: decrypt-signed
            match: { path: "/signed/*" }
            steps:
              - decrypt: s3://%1$s/verified/
                privateKey: %3$s
                passphrase: ${FERRY_PGP_PASSPHRASE}
                verifyWith: [%4$s]
          - name: encrypt-out
            match: { path: "/out/*" }
            steps:
              - encrypt: s3://%1$s/outbound/
                recipients: [%4$s, %5$s]
                armor: true
        """.formatted(bucket, PasswordHasher.hash(PASSWORD.toCharArray()), ferrySecret, partnerKey, rsaKey),
        Map.of("FERRY_PGP_PASSPHRASE", FERRY_PASSPHRASE));
    data = new byte[3 << 20];
    new Random(35).nextBytes(data);
    Files.write(dir.resolve("data.bin"), data);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ferry != null) {
      ferry.stop();
    }
    gpg.stopAgent();
  }

  static Map<String, JobRecord> finishedRuns(String workflow, int count) {
    Await.until(() -> WorkflowsIT.runs(ferry, workflow).size() == count && WorkflowsIT.runs(ferry, workflow).stream()
        .allMatch(j -> j.state().isFinal()), Duration.ofSeconds(120), count + " " + workflow + " jobs to end");
    return WorkflowsIT.runs(ferry, workflow).stream()
        .collect(Collectors.toMap(j -> j.spec().source(), Function.identity()));
  }

  Path encrypted(String name, String... gpgArgs) throws Exception {
    Path out = dir.resolve(name);
    List<String> args = new java.util.ArrayList<>(List.of("--output", out.toString()));
    args.addAll(List.of(gpgArgs));
    args.add(dir.resolve("data.bin").toString());
    gpg.run("", args.toArray(String[]::new));
    return out;
  }

  @Test
  void decrypt_gpgFilesCompressedOrNotArmoredOrBinarySeveralRecipients_exact_wrongKeyOrTruncated_failWritingNothing()
      throws Exception {
    Path binary = encrypted("binary.bin.gpg", "--encrypt", "--recipient", "ferry@example.test");
    Path armored = encrypted("armored.bin.asc", "--encrypt", "--armor", "--compress-algo", "none", "--recipient",
        "ferry@example.test");
    Path several = encrypted("several.bin.pgp", "--encrypt", "--recipient", "other@example.test", "--recipient",
        "partner@example.test", "--recipient", "ferry@example.test");
    Path wrongKey = encrypted("wrong-key.bin.gpg", "--encrypt", "--recipient", "other@example.test");
    byte[] whole = Files.readAllBytes(binary);
    Path truncated = Files.write(dir.resolve("truncated.bin.gpg"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Lftp lftp = new Lftp(ferry.ftps().port(), "partner", PASSWORD);
    for (Path file : List.of(binary, armored, several, wrongKey, truncated)) {
      lftp.put(file, "pgp/" + file.getFileName());
    }

    Map<String, JobRecord> runs = finishedRuns("decrypt-any", 5);
    String at = "s3://" + bucket + "/partner/pgp/";
    for (String done : List.of("binary.bin.gpg", "armored.bin.asc", "several.bin.pgp")) {
      assertEquals(JobState.DONE, runs.get(at + done).state(), done + ": " + runs.get(at + done).lastError());
      String output = done.substring(0, done.lastIndexOf('.'));
      assertArrayEquals(data, s3.read(bucket, "decrypted/partner/" + output), output);
    }
    JobRecord wrong = runs.get(at + "wrong-key.bin.gpg");
    assertEquals(JobState.FAILED, wrong.state());
    assertTrue(wrong.lastError().contains("no secret key here for the message's recipients"), wrong.lastError());
    JobRecord cut = runs.get(at + "truncated.bin.gpg");
    assertEquals(JobState.FAILED, cut.state());
    assertTrue(cut.lastError().contains("nothing was written"), cut.lastError());
    assertTrue(s3.find(bucket, "decrypted/partner/wrong-key.bin").isEmpty(), "a failed decrypt writes nothing");
    assertTrue(s3.find(bucket, "decrypted/partner/truncated.bin").isEmpty(), "a failed decrypt writes nothing");
    assertEquals(List.of(), s3.multipartUploads(bucket));
  }

  @Test
  void decryptWithVerifyWith_signedByThePartner_exact_unsignedOrSignedByAnother_failWithTheReason() throws Exception {
    Path signed = encrypted("signed.bin.gpg", "--sign", "--local-user", "partner@example.test", "--encrypt",
        "--recipient", "ferry@example.test");
    Path unsigned = encrypted("unsigned.bin.gpg", "--encrypt", "--recipient", "ferry@example.test");
    Path stranger = encrypted("stranger.bin.gpg", "--sign", "--local-user", "other@example.test", "--encrypt",
        "--recipient", "ferry@example.test");
    Lftp lftp = new Lftp(ferry.ftps().port(), "partner", PASSWORD);
    for (Path file : List.of(signed, unsigned, stranger)) {
      lftp.put(file, "signed/" + file.getFileName());
    }

    Map<String, JobRecord> runs = finishedRuns("decrypt-signed", 3);
    String at = "s3://" + bucket + "/partner/signed/";
    assertEquals(JobState.DONE, runs.get(at + "signed.bin.gpg").state(), runs.get(at + "signed.bin.gpg").lastError());
    assertArrayEquals(data, s3.read(bucket, "verified/partner/signed.bin"));
    assertTrue(runs.get(at + "unsigned.bin.gpg").lastError().contains("not signed, and verifyWith asks for a signature"),
        runs.get(at + "unsigned.bin.gpg").lastError());
    assertTrue(runs.get(at + "stranger.bin.gpg").lastError().contains("which verifyWith does not hold"),
        runs.get(at + "stranger.bin.gpg").lastError());
    assertTrue(s3.find(bucket, "verified/partner/unsigned.bin").isEmpty());
    assertTrue(s3.find(bucket, "verified/partner/stranger.bin").isEmpty());
  }

  @Test
  void encrypt_toThePartnersKey_gpgDecryptsItExactly() throws Exception {
    new Lftp(ferry.ftps().port(), "partner", PASSWORD).put(dir.resolve("data.bin"), "out/report.bin");
    Map<String, JobRecord> runs = finishedRuns("encrypt-out", 1);
    assertEquals(JobState.DONE, runs.values().iterator().next().state(), runs.toString());
    Path sealed = Files.write(dir.resolve("report.bin.asc"), s3.read(bucket, "outbound/partner/report.bin.asc"));
    assertTrue(Files.readString(sealed).startsWith("-----BEGIN PGP MESSAGE-----"), "armored");
    Path opened = dir.resolve("report.opened");
    gpg.run("", "--output", opened.toString(), "--decrypt", sealed.toString());
    assertArrayEquals(data, Files.readAllBytes(opened));
    // The RSA recipient alone, in a keyring of its own, decrypts it too: Ferry chose its encryption subkey.
    Gpg rsaOnly = new Gpg(dir.resolve("gnupg-rsa"));
    rsaOnly.run("", "--import", gpg.exportSecret("rsa@example.test", "", dir.resolve("rsa-secret.asc")).toString());
    Path openedByRsa = dir.resolve("report.opened-by-rsa");
    rsaOnly.run("", "--output", openedByRsa.toString(), "--decrypt", sealed.toString());
    assertArrayEquals(data, Files.readAllBytes(openedByRsa));
    rsaOnly.stopAgent();
  }

  @Test
  void unreadableKey_refusesTheStart_namingTheKey() throws Exception {
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("refused"), s3) + """
        users:
          - name: partner
            home: s3://%1$s/partner/
            permissions: [all]
            passwordHash: "%2$s"
        workflows:
          - name: broken
            steps:
              - decrypt: s3://%1$s/decrypted/
                privateKey: %3$s
        """.formatted(bucket, PasswordHasher.hash(PASSWORD.toCharArray()), partnerKey);
    ConfigException refused = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> EmbeddedFerry.start(Files.createDirectories(dir.resolve("refused")), yaml, Map.of()));
    assertTrue(refused.getMessage().contains("privateKey") && refused.getMessage().contains("not an OpenPGP secret key"),
        refused.getMessage());
    ConfigException wrongPassphrase = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> EmbeddedFerry.start(dir.resolve("refused"), yaml.replace(partnerKey.toString(), ferrySecret.toString())
            + "        passphrase: not-the-passphrase\n", Map.of()));
    assertTrue(wrongPassphrase.getMessage().contains("passphrase")
        && wrongPassphrase.getMessage().contains("does not unlock"), wrongPassphrase.getMessage());
  }
}
