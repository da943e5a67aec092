package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.vfs.GatewayFileSystem;
import dev.ferry.core.vfs.WriteMode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManager;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FTPS clients against a real Ferry over a real S3-API server; results are read back from S3. */
class FtpsGatewayIT {

  static final int PART = 5 * 1024 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FtpsTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new FtpsTestGateway(s3, dir, PART);
  }

  @AfterAll
  static void stop() {
    ferry.close();
  }

  @AfterEach
  void nothingLeftOpen() {
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "uploads to close");
    Await.until(() -> ferry.gateway.locks().size() == 0, "locks to be released");
    assertEquals(0, ferry.gateway.uploads().budget().reservedBytes(), "upload memory left reserved");
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, PART - 1, PART, PART + 1, 50 * 1024 * 1024})
  void stor_anySize_objectHasExactBytesAndSha256(int size) throws IOException {
    byte[] data = random(size);
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("size-" + size + ".bin", new ByteArrayInputStream(data)), client.getReplyString());
    client.disconnect();
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("size-" + size + ".bin")));
    assertEquals(S3TestServer.sha256Hex(data),
        TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key("size-" + size + ".bin")).sha256());
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty());
    Map<String, String> provenance = s3.metadata(ferry.bucket, ferry.key("size-" + size + ".bin"));
    assertEquals("alice", provenance.get("ferry-user"), provenance.toString());
    assertEquals("FTPS", provenance.get("ferry-protocol"), provenance.toString());
    assertEquals("127.0.0.1", provenance.get("ferry-client"), provenance.toString());
    assertTrue(provenance.getOrDefault("ferry-session", "").startsWith("ftps-"), provenance.toString());
  }

  @Test
  void retr_withRestOffset_returnsTheRestOfTheFile() throws IOException {
    byte[] data = random(PART + 12345);
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("ranged.bin", new ByteArrayInputStream(data)));
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    assertTrue(client.retrieveFile("ranged.bin", whole));
    assertArrayEquals(data, whole.toByteArray());
    client.setRestartOffset(1000);
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    assertTrue(client.retrieveFile("ranged.bin", tail), client.getReplyString());
    assertArrayEquals(Arrays.copyOfRange(data, 1000, data.length), tail.toByteArray());
    client.disconnect();
  }

  @Test
  void stor_manyClientsInParallel_everyObjectExact() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<byte[]>> uploads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      uploads.add(pool.submit(() -> {
        byte[] data = random(PART + n * 100_000);
        FTPSClient client = ferry.login("alice");
        assertTrue(client.storeFile("parallel-" + n, new ByteArrayInputStream(data)), client.getReplyString());
        client.disconnect();
        return data;
      }));
    }
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(uploads.get(i).get(), s3.read(ferry.bucket, ferry.key("parallel-" + i)));
    }
    pool.shutdown();
  }

  /**
   * rclone creates parent folders from parallel transfers: a folder that exists or is being
   * created is "exists", as in pyftpdlib, never the transient 450 (rclone gave up on those files),
   * and a file put into it right after the answer goes in (a session told "exists" while another
   * was still creating it got "parent directory does not exist").
   */
  @Test
  void mkd_samePathFromEightSessionsAtOnce_oneCreatedTheOthersExistsNoneBusy() throws Exception {
    List<FTPSClient> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(ferry.login("alice"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    try {
      for (String path : List.of("/together", "/together/inner", "/again")) {
        CyclicBarrier start = new CyclicBarrier(clients.size());
        List<Future<String>> replies = new ArrayList<>();
        for (int n = 0; n < clients.size(); n++) {
          FTPSClient client = clients.get(n);
          String file = path + "/from-" + n + ".bin";
          replies.add(pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            client.sendCommand("MKD", path);
            String reply = client.getReplyString().trim();
            // As rclone does: a folder answered "exists" is used at once.
            if (!client.storeFile(file, new ByteArrayInputStream(new byte[] {1, 2, 3}))) {
              return reply + " then STOR " + file + ": " + client.getReplyString().trim();
            }
            return reply;
          }));
        }
        List<String> created = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (Future<String> reply : replies) {
          String text = reply.get(60, TimeUnit.SECONDS);
          (text.startsWith("257") ? created : others).add(text);
        }
        assertEquals(1, created.size(), path + ": " + created + " " + others);
        for (String other : others) {
          assertTrue(other.startsWith("550") && other.contains("exists"), path + ": " + other);
        }
        for (String text : created) {
          assertFalse(text.contains(" then STOR "), path + ": " + text);
        }
        for (String other : others) {
          assertFalse(other.contains(" then STOR "), path + ": " + other);
        }
      }
    } finally {
      pool.shutdown();
      for (FTPSClient client : clients) {
        client.disconnect();
      }
    }
    assertTrue(s3.keys(ferry.bucket, ferry.key("together/")).contains(ferry.key("together/inner/")));
  }

  @Test
  void stor_samePathWhileUploading_secondGets450AndFirstWins() throws IOException {
    byte[] data = random(PART + 10);
    FTPSClient first = ferry.login("alice");
    FTPSClient second = ferry.login("alice");
    OutputStream upload = first.storeFileStream("contended.bin");
    assertNotNull(upload, first.getReplyString());
    try {
      upload.write(data, 0, 1000);
      assertFalse(second.storeFile("contended.bin", new ByteArrayInputStream(random(10))));
    assertEquals(450, second.getReplyCode(), second.getReplyString());
    assertFalse(second.deleteFile("contended.bin"));
    assertEquals(450, second.getReplyCode(), second.getReplyString());
      assertTrue(second.getReplyString().contains("busy"), second.getReplyString());
    } finally {
      upload.write(data, 1000, data.length - 1000);
      upload.close();
    }
    assertTrue(first.completePendingCommand(), first.getReplyString());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("contended.bin")));
    first.disconnect();
    second.disconnect();
  }

  @Test
  void stor_clientDisconnectsMidUpload_noObjectAndNoMultipartUpload() throws IOException {
    KillableFtpsClient client = ferry.login("alice");
    uploadUnderWay(client, "killed.bin");
    client.kill();
    assertUploadLeftNothing("killed.bin");
  }

  /**
   * An administrator's disconnect (or a user disabled) mid-upload: the client, as curl did, goes on
   * sending and would end its file properly; the upload is cut off and leaves nothing.
   */
  @Test
  void stor_sessionDisconnectedByTheServerMidUpload_noObjectAndNoMultipartUpload() throws IOException {
    KillableFtpsClient client = ferry.login("alice");
    OutputStream upload = uploadUnderWay(client, "disconnected.bin");
    List<SessionInfo> alices = ferry.gateway.sessions().loggedIn().stream()
        .filter(session -> session.user().equals("alice")).toList();
    String newest = alices.get(alices.size() - 1).id();

    assertTrue(ferry.gateway.sessions().disconnect(newest, "disconnected by administrator ops"));

    byte[] more = random(PART);
    assertThrows(IOException.class, () -> {
      for (int i = 0; i < 40; i++) {
        upload.write(more);
      }
      upload.close();
    }, "the data connection was cut with its session");
    client.kill();
    assertUploadLeftNothing("disconnected.bin");
  }

  /** A STOR of {@code name} with three parts sent, its data connection still open. */
  private static OutputStream uploadUnderWay(FTPSClient client, String name) throws IOException {
    OutputStream upload = client.storeFileStream(name);
    assertNotNull(upload, client.getReplyString());
    upload.write(random(3 * PART));
    upload.flush();
    return upload;
  }

  private static void assertUploadLeftNothing(String name) {
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "the broken upload of " + name + " to be aborted");
    assertTrue(s3.find(ferry.bucket, ferry.key(name)).isEmpty(), "partial object " + name + " visible");
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty(), "multipart upload left behind");
  }

  @Test
  void abor_duringStor_answers426Then226AndLeavesNoObject() throws IOException {
    FTPSClient client = ferry.login("alice");
    OutputStream upload = client.storeFileStream("aborted.bin");
    assertNotNull(upload);
    upload.write(random(3 * PART));
    upload.flush();

    assertEquals(426, client.sendCommand("ABOR"), client.getReplyString());
    assertTrue(client.getReplyString().contains("ABOR"), client.getReplyString());
    assertEquals(226, client.getReply(), client.getReplyString());

    assertTrue(s3.find(ferry.bucket, ferry.key("aborted.bin")).isEmpty(), "partial object visible");
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty(), "multipart upload left behind");
    assertTrue(client.sendNoOp(), "the session goes on after ABOR: " + client.getReplyString());
    client.disconnect();
  }

  /**
   * Commons Net's control keep-alive sends NOOP during a transfer and waits for the reply: it was
   * answered only after the transfer, so a keep-alive upload crawled. NOOP and STAT are answered at
   * once now, between the 150 and the 226, and the transfer goes on to the end.
   */
  @Test
  void noopAndStat_duringAnUpload_answeredAtOnceAndTheUploadCompletes() throws IOException {
    byte[] data = random(2 * PART + 7);
    FTPSClient client = ferry.login("alice");
    client.setSoTimeout(10_000);
    OutputStream upload = client.storeFileStream("kept-alive.bin");
    assertNotNull(upload, client.getReplyString());
    upload.write(data, 0, PART);
    upload.flush();

    assertEquals(200, client.sendCommand("NOOP"), client.getReplyString());
    assertEquals(211, client.sendCommand("STAT"), client.getReplyString());
    assertTrue(client.getReplyString().contains("in progress"), client.getReplyString());
    assertEquals(200, client.sendCommand("NOOP"), "a second keep-alive: " + client.getReplyString());

    upload.write(data, PART, data.length - PART);
    upload.close();
    assertTrue(client.completePendingCommand(), client.getReplyString());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("kept-alive.bin")));
    assertEquals(200, client.sendCommand("NOOP"), "the session goes on: " + client.getReplyString());
    assertEquals(211, client.sendCommand("STAT"), client.getReplyString());
    assertFalse(client.getReplyString().contains("in progress"), client.getReplyString());
    client.disconnect();
  }

  /** The same for a download the client reads slowly: NOOP answered while the RETR still sends. */
  @Test
  void noop_duringADownload_answeredAtOnceAndTheDownloadCompletes() throws IOException {
    byte[] data = random(4 * PART);
    s3.put(ferry.bucket, ferry.key("kept-alive-get.bin"), data);
    FTPSClient client = ferry.login("alice");
    client.setSoTimeout(10_000);
    InputStream download = client.retrieveFileStream("kept-alive-get.bin");
    assertNotNull(download, client.getReplyString());
    byte[] first = download.readNBytes(1000);
    assertEquals(200, client.sendCommand("NOOP"), client.getReplyString());
    byte[] rest = download.readAllBytes();
    download.close();
    assertTrue(client.completePendingCommand(), client.getReplyString());
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    got.write(first);
    got.write(rest);
    assertArrayEquals(data, got.toByteArray());
    client.disconnect();
  }

  /**
   * An application that closes the control connection mid-upload and then its data stream has no
   * one left to be told whether the file was stored: it used to be committed (30 MiB of a 100 MiB
   * file); now the upload is aborted as the control connection goes.
   */
  @Test
  void stor_controlConnectionClosedBeforeTheDataEnds_abortedNoObjectNoMultipartUpload() throws IOException {
    FTPSClient client = ferry.login("alice");
    OutputStream upload = client.storeFileStream("orphaned.bin");
    assertNotNull(upload, client.getReplyString());
    upload.write(random(3 * PART));
    upload.flush();
    client.disconnect();
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "the upload to be aborted as the control connection closed");
    try {
      upload.close();
    } catch (IOException brokenByTheServer) {
      // the server broke the data connection: nothing more to send
    }
    assertUploadLeftNothing("orphaned.bin");
  }

  /**
   * The other order: the whole file was sent and the data connection closed, then the client left
   * without waiting for the 226. The file is small enough for the socket buffers, so its end
   * arrives before the control connection's, as from a client whose data the server kept up with.
   */
  @Test
  void stor_dataEndedBeforeTheControlConnectionClosed_committed() throws IOException {
    byte[] data = random(256 * 1024);
    FTPSClient client = ferry.login("alice");
    OutputStream upload = client.storeFileStream("sent-then-left.bin");
    assertNotNull(upload, client.getReplyString());
    upload.write(data);
    upload.close();
    client.disconnect();
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "the upload to finish");
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("sent-then-left.bin")));
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty(), "multipart upload left behind");
  }

  /**
   * ABOR right as the data connection opens: it may arrive before the STOR starts reading, and was
   * then left to run after the STOR, which waited for a client that waited for the ABOR's reply.
   */
  @Test
  void abor_sentAsTheUploadOpens_stillStopsIt() throws IOException {
    FTPSClient client = ferry.login("alice");
    client.setSoTimeout(15_000);
    for (int round = 0; round < 10; round++) {
      OutputStream upload = client.storeFileStream("aborted-early.bin");
      assertNotNull(upload, client.getReplyString());
      assertEquals(426, client.sendCommand("ABOR"), "round " + round + ": " + client.getReplyString());
      assertEquals(226, client.getReply(), client.getReplyString());
      upload.close();
      assertUploadLeftNothing("aborted-early.bin");
    }
    assertTrue(client.sendNoOp(), client.getReplyString());
    client.disconnect();
  }

  /** An ABOR refused before login must not stop the first upload after it. */
  @Test
  void abor_beforeLogin_doesNotStopALaterUpload() throws IOException {
    FTPSClient client = ferry.connect(false);
    assertEquals(530, client.sendCommand("ABOR"), client.getReplyString());
    assertTrue(client.login("alice", FtpsTestGateway.PASSWORD), client.getReplyString());
    FtpsTestGateway.prepare(client);
    byte[] data = random(PART + 1);
    assertTrue(client.storeFile("after-early-abor.bin", new ByteArrayInputStream(data)), client.getReplyString());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("after-early-abor.bin")));
    client.disconnect();
  }

  /** ABOR, PORT and RETR in one write: the ABOR comes first, so the RETR is not its to stop. */
  @Test
  void abor_pipelinedBeforeARetr_doesNotStopTheRetr() throws IOException {
    KillableFtpsClient client = ferry.login("alice");
    byte[] data = random(PART + 1);
    assertTrue(client.storeFile("after-pipelined-abor.bin", new ByteArrayInputStream(data)), client.getReplyString());
    client.enterLocalActiveMode();
    for (int round = 0; round < 5; round++) {
      client.abortAndRetrieveInOneWrite("after-pipelined-abor.bin");
      java.io.InputStream download = client.retrieveFileStream("after-pipelined-abor.bin");
      assertEquals(226, client.abortReply(), "ABOR with nothing running");
      assertNotNull(download, "round " + round + ": " + client.getReplyString());
      assertArrayEquals(data, download.readAllBytes(), "round " + round);
      download.close();
      assertTrue(client.completePendingCommand(), "round " + round + ": " + client.getReplyString());
    }
    client.disconnect();
  }

  @Test
  void abor_duringRetr_answers426Then226() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("to-abort.bin", new java.io.ByteArrayInputStream(random(4 * PART))));
    java.io.InputStream download = client.retrieveFileStream("to-abort.bin");
    assertNotNull(download);
    assertEquals(1000, download.readNBytes(1000).length);

    assertEquals(426, client.sendCommand("ABOR"), client.getReplyString());
    assertEquals(226, client.getReply(), client.getReplyString());
    assertTrue(client.sendNoOp(), client.getReplyString());
    client.disconnect();
  }

  @Test
  void abort_fromAnInterruptedThread_stillAbortsTheMultipartUpload() throws IOException {
    // A closing SSH channel interrupts the thread that then aborts its uploads.
    GatewayFileSystem session = ferry.gateway.openSession(ferry.gateway.users().find("alice").orElseThrow(), null);
    StreamingUpload upload = session.openWrite(VirtualPath.parse("/interrupted.bin"), WriteMode.TRUNCATE, 0);
    upload.write(random(2 * PART + 1));
    String uploadId = s3.client().listMultipartUploads(b -> b.bucket(ferry.bucket)).uploads().get(0).uploadId();
    Await.until(() -> s3.client().listParts(b -> b.bucket(ferry.bucket).key(ferry.key("interrupted.bin"))
        .uploadId(uploadId)).parts().size() == 2, "both full parts in S3");

    Thread.currentThread().interrupt();
    upload.abort("client went away");

    assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty(), "multipart upload left behind");
    assertTrue(s3.find(ferry.bucket, ferry.key("interrupted.bin")).isEmpty());
    session.close();
  }

  @Test
  void stor_s3StopsMidUpload_clientToldFailureAndNothingPartialRemains() throws IOException {
    FTPSClient client = ferry.login("alice");
    OutputStream upload = client.storeFileStream("outage.bin");
    assertNotNull(upload);
    upload.write(random(2 * PART));
    s3.stop();
    try {
      try {
        upload.write(random(3 * PART));
        upload.close();
      } catch (IOException expected) {
        // Ferry may close the data connection as soon as S3 fails
      }
      assertFalse(client.completePendingCommand());
      int code = client.getReplyCode();
      assertTrue(code >= 400 && code < 500, "expected a 4xx reply, got " + client.getReplyString());
    } finally {
      s3.start();
    }
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "the upload to be aborted");
    ferry.gateway.uploads().sweepOrphans(Duration.ZERO);
    assertTrue(s3.find(ferry.bucket, ferry.key("outage.bin")).isEmpty());
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty(), "multipart upload left behind");
    client.disconnect();
  }

  @ParameterizedTest(name = "prefix of {0} bytes")
  @ValueSource(ints = {1000, 7 * 1024 * 1024})
  void stor_withRestAtPartialSize_continuesServerSide(int prefix) throws IOException {
    byte[] data = random(prefix + PART + 777);
    String name = "resume-" + prefix + ".bin";
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile(name, new ByteArrayInputStream(data, 0, prefix)));
    client.setRestartOffset(prefix);
    assertTrue(client.storeFile(name, new ByteArrayInputStream(data, prefix, data.length - prefix)), client.getReplyString());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(name)));
    client.disconnect();
  }

  @Test
  void appe_onExistingFile_appendsServerSide() throws IOException {
    byte[] data = random(PART + 4096);
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("append.bin", new ByteArrayInputStream(data, 0, PART + 1)));
    assertTrue(client.appendFile("append.bin", new ByteArrayInputStream(data, PART + 1, data.length - PART - 1)), client.getReplyString());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("append.bin")));
    client.disconnect();
  }

  @Test
  void rnfrRnto_fileAndDirectoryTree_moveEveryKey() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.makeDirectory("tree"));
    assertTrue(client.makeDirectory("tree/sub"));
    assertTrue(client.storeFile("tree/a.txt", new ByteArrayInputStream("a".getBytes())));
    assertTrue(client.storeFile("tree/sub/b.txt", new ByteArrayInputStream("b".getBytes())));
    assertTrue(client.rename("tree/a.txt", "tree/renamed.txt"), client.getReplyString());
    assertTrue(client.rename("tree", "moved"), client.getReplyString());
    assertEquals(List.of(ferry.key("moved/"), ferry.key("moved/renamed.txt"), ferry.key("moved/sub/"), ferry.key("moved/sub/b.txt")),
        s3.keys(ferry.bucket, ferry.key("moved/")));
    assertTrue(s3.keys(ferry.bucket, ferry.key("tree/")).isEmpty());
    assertArrayEquals("b".getBytes(), s3.read(ferry.bucket, ferry.key("moved/sub/b.txt")));
    client.disconnect();
  }

  @Test
  void stor_unicodeAndSpacesInNames_keptExactly() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.makeDirectory("dossier été"), client.getReplyString());
    assertTrue(client.storeFile("dossier été/файл с пробелами 日本.txt", new ByteArrayInputStream("x".getBytes())), client.getReplyString());
    FTPFile[] listed = client.mlistDir("dossier été");
    assertEquals("файл с пробелами 日本.txt", listed[0].getName());
    assertArrayEquals("x".getBytes(), s3.read(ferry.bucket, ferry.key("dossier été/файл с пробелами 日本.txt")));
    client.disconnect();
  }

  @Test
  void list_thousandsOfKeys_streamsEveryEntry() throws IOException {
    for (int i = 0; i < 2500; i++) {
      putWithRetry(ferry.key("many/f" + i));
    }
    FTPSClient client = ferry.login("alice");
    assertEquals(2500, client.mlistDir("many").length);
    assertEquals(2500, client.listNames("many").length);
    FTPFile[] list = client.listFiles("many");
    assertEquals(2500, list.length);
    assertEquals(1, list[0].getSize());
    client.disconnect();
  }

  @Test
  void mkdRmd_nonEmptyDirectory_refusedWith550() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.makeDirectory("full"));
    assertTrue(client.storeFile("full/x", new ByteArrayInputStream(new byte[1])));
    assertFalse(client.removeDirectory("full"));
    assertEquals(550, client.getReplyCode());
    assertTrue(client.getReplyString().contains("not empty"), client.getReplyString());
    assertTrue(client.deleteFile("full/x"));
    assertTrue(client.removeDirectory("full"), client.getReplyString());
    assertTrue(s3.keys(ferry.bucket, ferry.key("full")).isEmpty());
    client.disconnect();
  }

  /** Before, STOR and APPE onto a directory answered 451 with S3's 500 InternalError, naming the bucket and key. */
  @Test
  void storAndAppe_ontoExistingDirectory_550IsADirectory_andNothingChanges() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.makeDirectory("a-dir"));
    assertTrue(client.storeFile("a-dir/inside", new ByteArrayInputStream(new byte[1])));
    for (String command : new String[] {"STOR", "APPE"}) {
      boolean stored = command.equals("STOR") ? client.storeFile("a-dir", new ByteArrayInputStream(new byte[5]))
          : client.appendFile("a-dir", new ByteArrayInputStream(new byte[5]));
      assertFalse(stored, command);
      assertEquals(550, client.getReplyCode(), command + ": " + client.getReplyString());
      assertTrue(client.getReplyString().contains("is a directory"), client.getReplyString());
      assertFalse(client.getReplyString().contains(ferry.bucket), "the reply names the bucket: " + client.getReplyString());
    }
    assertTrue(s3.find(ferry.bucket, ferry.key("a-dir")).isEmpty(), "an object was stored over the directory");
    assertArrayEquals(new byte[1], s3.read(ferry.bucket, ferry.key("a-dir/inside")));
    client.disconnect();
  }

  /**
   * Before, renaming a deep tree to a longer name made keys past Ferry's path limit, files it then
   * refused to name ("path is longer than 900 bytes"). Now the rename is refused before anything moves.
   */
  @Test
  void rnto_directoryWhosePathsWouldPassTheLimit_refusedAndNothingMoves() throws IOException {
    FTPSClient client = ferry.login("alice");
    String level = "a".repeat(200);
    String path = "deep";
    assertTrue(client.makeDirectory(path), client.getReplyString());
    for (int i = 0; i < 4; i++) {
      path += "/" + level;
      assertTrue(client.makeDirectory(path), client.getReplyString());
    }
    assertTrue(client.storeFile(path + "/f", new ByteArrayInputStream(new byte[3])), client.getReplyString());

    assertFalse(client.rename("deep", "b".repeat(200)));
    assertEquals(550, client.getReplyCode(), client.getReplyString());
    assertTrue(client.getReplyString().contains("more than 900"), client.getReplyString());
    assertArrayEquals(new byte[3], s3.read(ferry.bucket, ferry.key(path + "/f")), "the source moved");
    assertTrue(s3.keys(ferry.bucket, ferry.key("b".repeat(200))).isEmpty(), "something was copied");
    assertTrue(client.rename("deep", "deeper"), "a rename that fits still works: " + client.getReplyString());
    client.disconnect();
  }

  /** FtpServer trimmed every command line: "DELE name " deleted "name", a different file. */
  @Test
  void pathEndingInSpaces_namesThatFile_notTheTrimmedOne() throws IOException {
    s3.put(ferry.bucket, ferry.key("spaced/ts.txt"), "plain".getBytes(StandardCharsets.UTF_8));
    s3.put(ferry.bucket, ferry.key("spaced/ts.txt "), "one space".getBytes(StandardCharsets.UTF_8));
    FTPSClient client = ferry.login("alice");
    assertEquals(213, client.sendCommand("SIZE", "spaced/ts.txt "), client.getReplyString());
    assertTrue(client.getReplyString().strip().endsWith(" 9"), client.getReplyString());
    assertEquals(250, client.sendCommand("DELE", "spaced/ts.txt "), client.getReplyString());
    assertEquals(List.of(ferry.key("spaced/ts.txt")), s3.keys(ferry.bucket, ferry.key("spaced/")));
    assertTrue(client.storeFile("spaced/up.txt  ", new ByteArrayInputStream(new byte[] {1, 2})), client.getReplyString());
    assertArrayEquals(new byte[] {1, 2}, s3.read(ferry.bucket, ferry.key("spaced/up.txt  ")));
    assertEquals(257, client.sendCommand("MKD", "spaced/   "), client.getReplyString());
    assertTrue(client.changeWorkingDirectory("spaced/   "), client.getReplyString());
    assertEquals("/spaced/   ", client.printWorkingDirectory());
    assertTrue(client.changeWorkingDirectory("/"));
    assertEquals(550, client.sendCommand("DELE", "spaced/ts.txt   "), client.getReplyString());
    assertArrayEquals("plain".getBytes(StandardCharsets.UTF_8), s3.read(ferry.bucket, ferry.key("spaced/ts.txt")));
    client.disconnect();
  }

  /**
   * REST before PASV/EPSV: FtpServer's data commands dropped the marker, so the STOR that should
   * have resumed replaced the file from byte 0 and answered 226, and RETR sent the whole file.
   */
  @Test
  void restBeforeTypeAlloAndEpsv_markerKept_forRetrAndStor() throws IOException {
    s3.put(ferry.bucket, ferry.key("rest/six.txt"), "abcdef".getBytes(StandardCharsets.UTF_8));
    FTPSClient client = ferry.login("alice");
    assertEquals(350, client.sendCommand("REST", "3"), client.getReplyString());
    assertEquals(200, client.sendCommand("TYPE", "I"), client.getReplyString());
    assertEquals(202, client.sendCommand("ALLO", "3"), "ALLO is answered as NOOP: " + client.getReplyString());
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    assertTrue(client.retrieveFile("rest/six.txt", tail), client.getReplyString());
    assertEquals("def", tail.toString(StandardCharsets.UTF_8));

    assertEquals(350, client.sendCommand("REST", "100"), client.getReplyString());
    assertFalse(client.storeFile("rest/six.txt", new ByteArrayInputStream(new byte[] {'x', 'y'})),
        "a STOR at a marker past the end must fail: " + client.getReplyString());
    assertArrayEquals("abcdef".getBytes(StandardCharsets.UTF_8), s3.read(ferry.bucket, ferry.key("rest/six.txt")));

    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    assertTrue(client.retrieveFile("rest/six.txt", whole), "the marker ends with the transfer it was for");
    assertEquals("abcdef", whole.toString(StandardCharsets.UTF_8));
    client.disconnect();
  }

  /** Before, USER with another name closed the session and a second PASS logged it out. */
  @Test
  void userOrPassAfterLogin_answered_andTheSessionStaysLoggedIn() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals(530, client.sendCommand("USER", "bob"), client.getReplyString());
    assertTrue(client.getReplyString().contains("Already logged in as alice"), client.getReplyString());
    assertEquals(230, client.sendCommand("PASS", "anything"), client.getReplyString());
    assertEquals(230, client.sendCommand("USER", "alice"), client.getReplyString());
    assertEquals(257, client.sendCommand("PWD"), client.getReplyString());
    assertTrue(client.storeFile("still-alice.txt", new ByteArrayInputStream(new byte[] {7})), client.getReplyString());
    client.disconnect();
    assertArrayEquals(new byte[] {7}, s3.read(ferry.bucket, ferry.key("still-alice.txt")));
  }

  /** Before, a USER with a bare CR or ESC was logged raw and echoed in the 331 reply. */
  @Test
  void user_withControlCharacter_refused501_andNotEchoed() throws IOException {
    FTPSClient client = ferry.connect(false);
    for (String name : new String[] {"eve\rINFO forged", "eve\u001b[2J"}) {
      assertEquals(501, client.sendCommand("USER", name), client.getReplyString());
      assertFalse(client.getReplyString().contains("eve"), "the name was echoed: " + client.getReplyString());
    }
    assertEquals(331, client.sendCommand("USER", "alice"), "a plain name still works: " + client.getReplyString());
    client.disconnect();
  }

  /**
   * During the shutdown grace new sessions get 421 with the reason. Before, an implicit-TLS client
   * got a TLS reset instead: the 421 waited behind the handshake and the session closed first.
   */
  @Test
  void shuttingDown_explicitAndImplicitClientsGet421WithTheReason() throws IOException {
    try (FtpsTestGateway stopping = new FtpsTestGateway(s3, java.nio.file.Files.createDirectories(dir.resolve("stopping")),
        PART)) {
      stopping.server.refuseNewSessions();
      // commons-net reads the greeting in connect and throws on a 421, as it should.
      org.apache.commons.net.ftp.FTPClient plain = new org.apache.commons.net.ftp.FTPClient();
      IOException explicit = assertThrows(org.apache.commons.net.ftp.FTPConnectionClosedException.class,
          () -> plain.connect("127.0.0.1", stopping.server.port()));
      assertTrue(explicit.getMessage().contains("421"), explicit.getMessage());
      assertTrue(plain.getReplyString().contains("shutting down"), plain.getReplyString());
      FTPSClient implicit = new FTPSClient("TLS", true);
      implicit.setTrustManager(FtpsTestGateway.TRUST_ALL);
      implicit.setConnectTimeout(10_000);
      IOException overTls = assertThrows(IOException.class,
          () -> implicit.connect("127.0.0.1", stopping.server.implicitPort()));
      assertTrue(overTls instanceof org.apache.commons.net.ftp.FTPConnectionClosedException,
          "the TLS connection was reset instead of answered: " + overTls);
      assertTrue(implicit.getReplyString().contains("shutting down"), implicit.getReplyString());
    }
  }

  @Test
  void stor_withoutWritePermission_refusedAndNothingStored() throws IOException {
    FTPSClient client = ferry.login("reader");
    assertFalse(client.storeFile("nope.bin", new ByteArrayInputStream(new byte[10])));
    assertEquals(550, client.getReplyCode());
    assertTrue(client.getReplyString().contains("permission 'write'"), client.getReplyString());
    assertTrue(s3.find(ferry.bucket, ferry.key("nope.bin")).isEmpty());
    client.disconnect();
  }

  @Test
  void rnto_ontoExistingFileWithoutOverwrite_refused() throws IOException {
    FTPSClient alice = ferry.login("alice");
    assertTrue(alice.storeFile("keep-a", new ByteArrayInputStream("A".getBytes())));
    assertTrue(alice.storeFile("keep-b", new ByteArrayInputStream("B".getBytes())));
    FTPSClient writer = ferry.login("writer");
    assertFalse(writer.rename("keep-a", "keep-b"));
    assertEquals(550, writer.getReplyCode(), writer.getReplyString());
    assertArrayEquals("B".getBytes(), s3.read(ferry.bucket, ferry.key("keep-b")));
    assertArrayEquals("A".getBytes(), s3.read(ferry.bucket, ferry.key("keep-a")));
    alice.disconnect();
    writer.disconnect();
  }

  /**
   * Node's basic-ftp opens the passive data connection before it sends RETR or STOR. A refusal
   * reset that connection (RST) before the 550 was written, and basic-ftp dropped the whole session
   * on "ECONNRESET (data socket)". The reply comes first now and the connection ends with a FIN.
   */
  @ParameterizedTest
  @ValueSource(strings = {"RETR missing.bin", "STOR /../x", "APPE /../x", "MLSD /no/such/dir", "RETR /no/such/dir/f"})
  void refusedTransfer_dataConnectionOpenedFirst_replyThenACleanCloseAndTheSessionGoesOn(String command)
      throws IOException {
    FTPSClient client = ferry.login("alice");
    client.setSoTimeout(10_000);
    int port = epsvPort(client);
    try (Socket data = new Socket("127.0.0.1", port)) {
      data.setSoTimeout(10_000);
      data.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5}); // a TLS hello's start
      data.getOutputStream().flush();
      int code = client.sendCommand(command);
      assertTrue(code == 550 || code == 553, command + ": " + client.getReplyString());
      assertEquals(-1, data.getInputStream().read(), "the data connection ends with a FIN, not a reset");
    }
    assertEquals(200, client.sendCommand("NOOP"), client.getReplyString());
    byte[] data = random(1000);
    assertTrue(client.storeFile("after-refusal.bin", new ByteArrayInputStream(data)), client.getReplyString());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("after-refusal.bin")));
    client.disconnect();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../other/x", "/../x", "a\\b", "%2e%2e/x", "a\u0001b"})
  void stor_badPath_refusedWith553AndNothingChanges(String path) throws IOException {
    List<String> before = s3.keys(ferry.bucket, "");
    FTPSClient client = ferry.login("alice");
    assertFalse(client.storeFile(path, new ByteArrayInputStream(new byte[3])));
    assertEquals(553, client.getReplyCode(), client.getReplyString());
    assertEquals(before, s3.keys(ferry.bucket, ""));
    client.disconnect();
  }

  @Test
  void commands_beforeLogin_refusedWith530() throws IOException {
    FTPSClient client = ferry.connect(false);
    client.execAUTH("TLS");
    assertEquals(530, client.sendCommand("LIST"));
    assertEquals(530, client.sendCommand("STOR x"));
    client.disconnect();
  }

  @Test
  void login_plainWithoutTls_refused() throws IOException {
    org.apache.commons.net.ftp.FTPClient plain = new org.apache.commons.net.ftp.FTPClient();
    plain.connect("127.0.0.1", ferry.server.port());
    assertFalse(plain.login("alice", FtpsTestGateway.PASSWORD));
    assertEquals(530, plain.getReplyCode());
    assertTrue(plain.getReplyString().contains("TLS"), plain.getReplyString());
    plain.disconnect();
  }

  @Test
  void login_wrongPassword_refused() throws IOException {
    FTPSClient client = ferry.connect(false);
    assertFalse(client.login("alice", "wrong"));
    assertEquals(530, client.getReplyCode());
    client.disconnect();
  }

  @Test
  void implicitTls_loginAndTransfer_work() throws IOException {
    FTPSClient client = ferry.connect(true);
    assertTrue(client.login("alice", FtpsTestGateway.PASSWORD));
    FtpsTestGateway.prepare(client);
    assertTrue(client.storeFile("implicit.bin", new ByteArrayInputStream("hi".getBytes())), client.getReplyString());
    assertArrayEquals("hi".getBytes(), s3.read(ferry.bucket, ferry.key("implicit.bin")));
    client.disconnect();
  }

  @Test
  void port_toThirdPartyAddress_refused() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals(501, client.sendCommand("PORT 10,1,2,3,200,10"));
    client.disconnect();
  }

  @Test
  void feat_beforeLogin_listsTheFeatures_otherCommandsStillNeedLogin() throws IOException {
    FTPSClient client = ferry.connect(false);
    assertEquals(211, client.sendCommand("FEAT"), client.getReplyString());
    assertTrue(client.getReplyString().contains(" UTF8"), client.getReplyString());
    assertTrue(client.getReplyString().contains(" MLST"), client.getReplyString());
    assertEquals(530, client.sendCommand("PWD"), client.getReplyString());
    assertTrue(client.login("alice", FtpsTestGateway.PASSWORD), client.getReplyString());
    assertEquals(211, client.sendCommand("FEAT"), client.getReplyString());
    client.disconnect();
  }

  @Test
  void feat_listsOnlyWhatWorks_andEachListedCommandAnswers() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals(211, client.sendCommand("FEAT"), client.getReplyString());
    String features = client.getReplyString();
    for (String absent : List.of(" MD5", " MMD5", " LANG", " MODE Z")) {
      assertFalse(features.contains(absent + "\r\n") || features.contains(absent + " "), features);
    }
    for (String present : List.of(" MFMT", " SIZE", " MDTM", " AUTH TLS", " PBSZ", " PROT", " REST STREAM",
        " HASH SHA-256*;SHA-1;MD5", " XSHA256", " XSHA1", " XMD5")) {
      assertTrue(features.contains(present), features);
    }
    // Commands FtpServer would run against a local disk: refused, and the session goes on.
    client.storeFile("hashed.txt", new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8)));
    for (String command : List.of("MMD5 hashed.txt", "LANG fr")) {
      assertEquals(502, client.sendCommand(command), command + ": " + client.getReplyString());
      assertTrue(client.sendNoOp(), "the session must go on after " + command);
    }
    // MD5 (draft-twine-ftpmd5) and XMD5 (mod_digest) arrive under one name: each gets its own reply.
    assertEquals(251, client.sendCommand("MD5 hashed.txt"), client.getReplyString());
    assertEquals("251 hashed.txt 900150983cd24fb0d6963f7d28e17f72", client.getReplyString().strip());
    assertEquals(250, client.sendCommand("XMD5 hashed.txt"), client.getReplyString());
    assertEquals("250 900150983cd24fb0d6963f7d28e17f72", client.getReplyString().strip());
    assertEquals(213, client.sendCommand("HASH hashed.txt"), client.getReplyString());
    assertEquals("213 SHA-256 0-3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad hashed.txt",
        client.getReplyString().strip());
    client.disconnect();
  }

  @Test
  void modeZ_offByDefault_isRefused_streamModeStillAccepted() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals(504, client.sendCommand("MODE Z"), client.getReplyString());
    assertTrue(client.getReplyString().contains("MODE Z is not offered"), client.getReplyString());
    assertEquals(200, client.sendCommand("MODE S"), client.getReplyString());
    client.storeFile("after-mode.txt", new ByteArrayInputStream("stream".getBytes(StandardCharsets.UTF_8)));
    assertArrayEquals("stream".getBytes(StandardCharsets.UTF_8), s3.read(ferry.bucket, ferry.key("after-mode.txt")));
    client.disconnect();
  }

  @Test
  void stat_ofADirectoryLongerThanOneWrite_listsEveryEntryOnTheControlConnection() throws IOException {
    int count = 450; // more than two of the 200-line writes a STAT listing is sent in
    for (int i = 0; i < count; i++) {
      // Two folders down: the home, listed by other tests a moment ago, would not show a new folder yet.
      s3.put(ferry.bucket, ferry.key(String.format("long/stat-dir/f%04d.bin", i)), new byte[i]);
    }
    FTPSClient client = ferry.login("alice");
    assertEquals(212, client.sendCommand("STAT /long/stat-dir"), client.getReplyString());
    String[] lines = client.getReplyStrings();
    assertEquals("212-Status of /long/stat-dir:", lines[0]);
    assertEquals("212 End of status", lines[lines.length - 1]);
    assertEquals(count, lines.length - 2, "one line per entry");
    for (int i = 0; i < count; i++) {
      String line = lines[i + 1];
      assertTrue(line.startsWith("-rw-r--r--"), line);
      assertTrue(line.matches(".* " + i + " [A-Z][a-z]{2} .* " + String.format("f%04d\\.bin", i)), line);
    }
    assertTrue(client.sendNoOp(), "the session goes on after a long STAT");
    client.disconnect();
  }

  @Test
  void stat_ofANameWithCrLfFromAnotherS3Client_staysOneLineAndCannotForgeAReply() throws IOException {
    // Two folders down: the home, listed by other tests a moment ago, would not show a new folder yet.
    s3.put(ferry.bucket, ferry.key("crlf/stat-crlf/a\r\n212 forged.bin"), new byte[3]);
    FTPSClient client = ferry.login("alice");
    assertEquals(212, client.sendCommand("STAT /crlf/stat-crlf"), client.getReplyString());
    String[] lines = client.getReplyStrings();
    assertEquals(3, lines.length, client.getReplyString());
    assertTrue(lines[1].endsWith(" a  212 forged.bin"), lines[1]);
    assertEquals("212 End of status", lines[2]);
    assertTrue(client.sendNoOp(), "the next reply is the NOOP's");
    client.disconnect();
  }

  @Test
  void syst_answersUnixTypeL8LikeCommonUnixServers() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals("UNIX Type: L8", client.getSystemType());
    assertTrue(client.sendNoOp());
    client.disconnect();
  }

  @Test
  void stat_ofAFile_oneLineIn213_ofNothing_550_withoutPath_serverStatus() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("stat-file.txt", new ByteArrayInputStream(new byte[1234])), client.getReplyString());
    assertEquals(213, client.sendCommand("STAT stat-file.txt"), client.getReplyString());
    String[] lines = client.getReplyStrings();
    assertEquals(3, lines.length, client.getReplyString());
    assertTrue(lines[1].matches("-rw-r--r-- .* 1234 .* stat-file\\.txt"), lines[1]);
    assertEquals(213, client.sendCommand("STAT -la stat-file.txt"), "ls options are dropped: " + client.getReplyString());
    assertEquals(550, client.sendCommand("STAT no-such-file.txt"), client.getReplyString());
    assertTrue(client.getReplyString().contains("no-such-file.txt"), client.getReplyString());
    assertEquals(211, client.sendCommand("STAT"), client.getReplyString());
    client.disconnect();
  }

  @Test
  void mdtm_rightAfterMfmt_showsTheNewTimeEveryTime() throws IOException {
    // MFMT's copy runs in the background; an MDTM whose HEAD raced its end showed S3's time.
    FTPSClient client = ferry.login("alice");
    for (int round = 0; round < 40; round++) {
      String name = "raced-" + round + ".txt";
      assertTrue(client.storeFile(name, new ByteArrayInputStream(new byte[round])), client.getReplyString());
      String time = String.format("201906011020%02d", round);
      assertEquals(213, client.sendCommand("MFMT " + time + " " + name), client.getReplyString());
      assertEquals(213, client.sendCommand("MDTM " + name), client.getReplyString());
      assertEquals("213 " + time, client.getReplyString().strip(), name);
    }
    client.disconnect();
  }

  @Test
  void mfmt_setsTheTimeShownByMdtmAndMlst_badArgumentsChangeNothing() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("timed file.txt", new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8))),
        client.getReplyString());
    assertEquals(213, client.sendCommand("MFMT 20190601102030 timed file.txt"), client.getReplyString());
    assertEquals("213 Modify=20190601102030; timed file.txt", client.getReplyString().strip());
    assertEquals(213, client.sendCommand("MDTM timed file.txt"), client.getReplyString());
    assertEquals("213 20190601102030", client.getReplyString().strip());
    assertEquals(250, client.sendCommand("MLST timed file.txt"), client.getReplyString());
    assertTrue(client.getReplyString().contains("modify=20190601102030;"), client.getReplyString());
    FTPFile listed = Arrays.stream(client.mlistDir("")).filter(f -> f.getName().equals("timed file.txt"))
        .findFirst().orElseThrow();
    assertEquals(Instant.parse("2019-06-01T10:20:30Z"), listed.getTimestamp().toInstant(), "time in MLSD");

    assertEquals(501, client.sendCommand("MFMT 20191332102030 timed file.txt"), client.getReplyString());
    assertEquals(501, client.sendCommand("MFMT timed file.txt"), client.getReplyString());
    assertEquals(550, client.sendCommand("MFMT 20190601102030 no-such-file.txt"), client.getReplyString());
    assertEquals(213, client.sendCommand("MDTM timed file.txt"), client.getReplyString());
    assertEquals("213 20190601102030", client.getReplyString().strip(), "time after the refused MFMTs");
    client.disconnect();
    assertEquals(Instant.parse("2019-06-01T10:20:30Z"),
        TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key("timed file.txt")).clientTime());
    assertEquals("abc", new String(s3.read(ferry.bucket, ferry.key("timed file.txt")), StandardCharsets.UTF_8));
  }

  @Test
  void mfmt_rightAfterAMultipartStor_keepsTheObjectAsUploaded() throws IOException {
    // lftp's put and mirror -R send MFMT right after each STOR: the time goes to the catalog, and
    // the object stays the one the multipart upload wrote (its ETag has the "-parts" suffix a copy
    // onto itself would have replaced).
    byte[] data = random(2 * PART + 5);
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("big-timed.bin", new ByteArrayInputStream(data)), client.getReplyString());
    String uploadedEtag = TestObjects.head(ferry.gateway.store(), new S3Location(ferry.bucket, ferry.key("big-timed.bin")))
        .etag();
    assertEquals(213, client.sendCommand("MFMT 20170304050607 big-timed.bin"), client.getReplyString());
    assertEquals(213, client.sendCommand("MDTM big-timed.bin"), client.getReplyString());
    assertEquals("213 20170304050607", client.getReplyString().strip());
    client.disconnect();
    ObjectFacts facts = TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key("big-timed.bin"));
    assertEquals(Instant.parse("2017-03-04T05:06:07Z"), facts.clientTime());
    assertEquals(S3TestServer.sha256Hex(data), facts.sha256());
    assertEquals(uploadedEtag, TestObjects.head(ferry.gateway.store(),
        new S3Location(ferry.bucket, ferry.key("big-timed.bin"))).etag(), "the object was written again");
    assertTrue(uploadedEtag.matches("\"?[0-9a-f]{32}-3\"?"), uploadedEtag);
    // No time in the object's metadata: only who wrote it.
    assertEquals(Set.of("ferry-user", "ferry-protocol", "ferry-session", "ferry-client"),
        s3.metadata(ferry.bucket, ferry.key("big-timed.bin")).keySet(), "metadata of the object");
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("big-timed.bin")));
  }

  @Test
  void cdup_goesUpOneLevel_andStaysAtTheTopOfTheHome() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.makeDirectory("up"), client.getReplyString());
    assertTrue(client.makeDirectory("up/down"), client.getReplyString());
    assertTrue(client.changeWorkingDirectory("up/down"), client.getReplyString());
    assertEquals(250, client.sendCommand("CDUP"), client.getReplyString());
    assertEquals("/up", client.printWorkingDirectory());
    assertEquals(250, client.sendCommand("XCUP"), client.getReplyString());
    assertEquals("/", client.printWorkingDirectory());
    assertEquals(250, client.sendCommand("CDUP"), client.getReplyString());
    assertEquals("/", client.printWorkingDirectory(), "the home's top is as far up as it goes");
    client.disconnect();
  }

  /** As vsftpd: {@code CWD ..} at the top of the home stays there; a name past it is still refused. */
  @Test
  void cwd_dotDotAtTheTopOfTheHome_250AndStaysThere() throws IOException {
    FTPSClient client = ferry.login("alice");
    for (String path : List.of("..", "/..", "../..", "/../.")) {
      assertEquals(250, client.cwd(path), path + ": " + client.getReplyString());
      assertEquals("/", client.printWorkingDirectory(), path);
    }
    assertEquals(553, client.cwd("../alice"), client.getReplyString());
    assertEquals("/", client.printWorkingDirectory());
    assertEquals(200, client.sendCommand("NOOP"), "the session goes on");
    client.disconnect();
  }

  @Test
  void commandLine_overTheLimit_answered500AndTheSessionGoesOn() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals(500, client.sendCommand("NOOP " + "x".repeat(20_000)), client.getReplyString());
    assertTrue(client.getReplyString().contains("too long"), client.getReplyString());
    assertTrue(client.sendNoOp(), "the session must go on after an over-long line");
    client.disconnect();
  }

  /** FtpServer's own decoder stops at 1 KiB; a path that long is legal (an S3 key alone may be 1 KiB). */
  @Test
  void commandLine_longerThanOneKiB_isStillACommand() throws IOException {
    FTPSClient client = ferry.login("alice");
    String name = "n".repeat(200) + ".bin";
    assertTrue(client.storeFile(name, new java.io.ByteArrayInputStream(new byte[] {1, 2, 3})), client.getReplyString());
    String longForm = "/./".repeat(300) + name;
    assertEquals(213, client.sendCommand("SIZE " + longForm), client.getReplyString());
    assertTrue(client.getReplyString().trim().endsWith(" 3"), client.getReplyString());
    client.disconnect();
  }

  @Test
  void unknownCommand_answered502NamingTheCommandAsSent() throws IOException {
    FTPSClient client = ferry.login("alice");
    for (String command : List.of("FOOBAR", "XCRC", "XYZZY")) {
      assertEquals(502, client.sendCommand(command + " x"), client.getReplyString());
      assertEquals("502 Command " + command + " not implemented", client.getReplyString().strip());
      assertTrue(client.sendNoOp(), "the session must go on after " + command);
    }
    assertEquals(257, client.sendCommand("XPWD"), "X-forms of RFC 775 still run: " + client.getReplyString());
    client.disconnect();
  }

  @Test
  void help_listsWhatIsAnswered_notTheRefusedCommands() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertEquals(214, client.sendCommand("HELP"), client.getReplyString());
    List<String> listed = Arrays.stream(client.getReplyStrings()).skip(1).limit(client.getReplyStrings().length - 2)
        .flatMap(line -> Arrays.stream(line.strip().split(" "))).toList();
    for (String answered : List.of("FEAT", "MLSD", "MLST", "EPSV", "EPRT", "AUTH", "PBSZ", "PROT", "MFMT", "OPTS",
        "STOR", "RETR", "HELP", "HASH")) {
      assertTrue(listed.contains(answered), answered + " missing from " + listed);
    }
    for (String refused : List.of("STOU", "SITE", "MMD5", "LANG", "CUP")) {
      assertFalse(listed.contains(refused), refused + " listed: " + listed);
    }
    assertTrue(client.sendNoOp(), client.getReplyString());
    client.disconnect();
  }

  @Test
  void sizeMdtmMlst_reportWhatS3Holds() throws IOException {
    FTPSClient client = ferry.login("alice");
    assertTrue(client.storeFile("facts.bin", new ByteArrayInputStream(new byte[1234])));
    assertEquals("1234", client.getSize("facts.bin"));
    FTPFile facts = client.mlistFile("facts.bin");
    assertEquals(1234, facts.getSize());
    assertTrue(facts.isFile());
    Instant modified = client.mdtmInstant("facts.bin");
    assertTrue(Duration.between(modified, Instant.now()).abs().toMinutes() < 5, "mtime " + modified);
    assertTrue(client.changeWorkingDirectory("/"));
    assertFalse(client.changeWorkingDirectory("facts.bin"));
    assertEquals(550, client.getReplyCode());
    client.disconnect();
  }

  /** S3Proxy now and then drops a kept-alive connection under thousands of tiny PUTs. */
  private static void putWithRetry(String key) {
    for (int attempt = 1; ; attempt++) {
      try {
        s3.put(ferry.bucket, key, new byte[] {1});
        return;
      } catch (RuntimeException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /**
   * On TLS 1.3 the server's session ticket must not reach an uploading client mid-file: lftp
   * takes any data arriving on an upload connection as its end, closes, and the kernel's reset
   * throws away what the server had not read yet.
   */
  @Test
  void stor_overTls13_serverSendsNothingOnTheDataConnectionUntilTheFileEnds() throws Exception {
    byte[] data = random(1024 * 1024);
    FTPSClient client = ferry.login("alice");
    int port = epsvPort(client);
    try (Socket tcp = new Socket("127.0.0.1", port)) {
      assertEquals(150, client.sendCommand("STOR tls13.bin"), client.getReplyString());
      SSLContext tls13 = SSLContext.getInstance("TLSv1.3");
      tls13.init(null, new TrustManager[] {FtpsTestGateway.TRUST_ALL}, null);
      SSLSocket tls = (SSLSocket) tls13.getSocketFactory().createSocket(tcp, "127.0.0.1", port, false);
      tls.startHandshake();
      assertEquals("TLSv1.3", tls.getSession().getProtocol());
      tls.getOutputStream().write(data);
      tls.getOutputStream().flush();

      tcp.setSoTimeout(1_000);
      assertThrows(SocketTimeoutException.class, () -> tcp.getInputStream().read(),
          "the server sent something on the upload's data connection before the file ended");

      tls.shutdownOutput(); // close_notify: the file is complete
      assertEquals(226, client.getReply(), client.getReplyString());
    }
    client.disconnect();
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("tls13.bin")));
  }

  /**
   * lftp sends the address it connects to as TLS SNI, "::1" included (RFC 6066 allows host names
   * only). The JDK refused that ClientHello with illegal_parameter ("Illegal server name,
   * type=host_name(0), name=::1"), lftp fell back to plain FTP and was refused. Ferry ignores the
   * name, as OpenSSL-based servers do: here a JDK client sends "::1" as SNI on the control connection
   * (explicit and implicit TLS) and on a data connection, byte for byte as lftp does.
   */
  @ParameterizedTest(name = "implicit TLS: {0}")
  @ValueSource(booleans = {false, true})
  void tls_ipLiteralServerName_controlAndDataConnectionsWork(boolean implicit) throws Exception {
    int port = implicit ? ferry.server.implicitPort() : ferry.server.port();
    try (Socket tcp = new Socket("127.0.0.1", port)) {
      ControlLines control;
      if (implicit) {
        control = new ControlLines(withIpLiteralName(tcp));
        control.expect(220);
      } else {
        ControlLines plain = new ControlLines(tcp);
        plain.expect(220);
        plain.send("AUTH TLS", 234);
        control = new ControlLines(withIpLiteralName(tcp));
      }
      control.send("USER alice", 331);
      control.send("PASS " + FtpsTestGateway.PASSWORD, 230);
      control.send("PBSZ 0", 200);
      control.send("PROT P", 200);
      String epsv = control.send("EPSV", 229);
      int dataPort = Integer.parseInt(epsv.replaceAll(".*\\(\\|\\|\\|(\\d+)\\|\\).*", "$1"));
      try (Socket dataTcp = new Socket("127.0.0.1", dataPort)) {
        control.send("NLST /", 150);
        SSLSocket data = withIpLiteralName(dataTcp);
        data.getInputStream().readAllBytes();
      }
      control.expect(226);
      control.send("QUIT", 221);
    }
  }

  /** The TLS layer over {@code tcp}, its ClientHello naming "::1" as host_name, as lftp's does. */
  private static SSLSocket withIpLiteralName(Socket tcp) throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {FtpsTestGateway.TRUST_ALL}, null);
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "127.0.0.1", tcp.getPort(), false);
    SSLParameters parameters = tls.getSSLParameters();
    // SNIHostName refuses "::1" itself; the bytes go out as a host_name all the same.
    parameters.setServerNames(List.of(new SNIServerName(StandardConstants.SNI_HOST_NAME,
        "::1".getBytes(StandardCharsets.US_ASCII)) {}));
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** The control connection, one command and its final reply line at a time. */
  private static final class ControlLines {
    private final BufferedReader in;
    private final OutputStream out;

    ControlLines(Socket socket) throws IOException {
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
    }

    String send(String command, int expected) throws IOException {
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return expect(expected);
    }

    String expect(int expected) throws IOException {
      String line;
      do {
        line = in.readLine();
        assertTrue(line != null, "the server closed the control connection, waiting for " + expected);
      } while (!line.matches("\\d{3} .*"));
      assertEquals(expected, Integer.parseInt(line.substring(0, 3)), line);
      return line;
    }
  }

  /**
   * A listener on "::" takes both address families. FtpServer advertised the bind address in PASV
   * replies, and "::" came out as "(0:0:0:0:0:0:0:0,p1,p2)", which no IPv4 client can use; the
   * address the client reached is advertised now (EPSV, which IPv6 clients use, has none).
   */
  @Test
  void dualStackListener_ipv4ClientWithPasvAndIpv6ClientWithEpsv_transfersByteExact() throws IOException {
    Path dualDir = Files.createDirectories(dir.resolve("dual-stack"));
    try (FtpsTestGateway dual = new FtpsTestGateway(s3, s3.endpoint(), dualDir, PART, PART, "::")) {
      for (String host : List.of("127.0.0.1", "::1")) {
        byte[] data = random(PART + 3);
        FTPSClient client = dual.login(host, "alice");
        client.setSoTimeout(10_000);
        assertTrue(client.storeFile("dual.bin", new ByteArrayInputStream(data)), host + ": " + client.getReplyString());
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertTrue(client.retrieveFile("dual.bin", back), host + ": " + client.getReplyString());
        assertArrayEquals(data, back.toByteArray(), host);
        client.disconnect();
      }
    }
  }

  /** Sends EPSV and returns the port of the reply's "(|||port|)". */
  private static int epsvPort(FTPSClient client) throws IOException {
    assertEquals(229, client.sendCommand("EPSV"), client.getReplyString());
    return Integer.parseInt(client.getReplyString().replaceAll("(?s).*\\(\\|\\|\\|(\\d+)\\|\\).*", "$1"));
  }

  static byte[] random(int size) {
    byte[] data = new byte[size];
    new Random(size * 31L + 7).nextBytes(data);
    return data;
  }
}
