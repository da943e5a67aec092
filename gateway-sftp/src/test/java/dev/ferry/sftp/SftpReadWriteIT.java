package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file opened for reading and writing (SFTP READ|WRITE, as sqlite on an sshfs mount opens its
 * database) reads what it holds now: the object, with the handle's own writes over it. Before,
 * every read of such a handle failed with "General failure" (issue 40, item 1).
 */
class SftpReadWriteIT {

  private static final int MIB = 1 << 20;
  private static final EnumSet<OpenMode> READ_WRITE = EnumSet.of(OpenMode.Read, OpenMode.Write);

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new SftpTestGateway(s3, dir, 5 * MIB, "  spillLimit: 1MiB");
  }

  @AfterAll
  static void stop() throws IOException {
    ferry.close();
  }

  @Test
  void readWrite_existingFile_readsTheObjectThenTheHandlesOwnWrites() throws IOException {
    byte[] data = SftpTestGateway.random(8 * 1024, 1);
    s3.put(ferry.bucket, ferry.key("rw.db"), data);
    byte[] header = SftpTestGateway.random(12, 2);
    byte[] page = SftpTestGateway.random(4096, 3);
    byte[] expected = Arrays.copyOf(data, data.length + page.length);
    System.arraycopy(header, 0, expected, 0, header.length);
    System.arraycopy(page, 0, expected, data.length, page.length);
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("rw.db", READ_WRITE)) {
        assertArrayEquals(data, SftpTestGateway.readFully(sftp, handle, 0, data.length), "the object, before any write");
        sftp.write(handle, data.length, page, 0, page.length); // sqlite: a page appended,
        sftp.write(handle, 0, header, 0, header.length); // then its header changed
        assertArrayEquals(expected, SftpTestGateway.readFully(sftp, handle, 0, expected.length + 100), "the object with the writes");
        assertEquals(expected.length, sftp.stat(handle).getSize());
        assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("rw.db")), "nothing visible before the close");
      }
      assertArrayEquals(expected, s3.read(ferry.bucket, ferry.key("rw.db")));
      try (CloseableHandle handle = sftp.open("rw.db", READ_WRITE)) {
        assertArrayEquals(expected, SftpTestGateway.readFully(sftp, handle, 0, expected.length), "read back after the reopen");
      }
      assertArrayEquals(expected, s3.read(ferry.bucket, ferry.key("rw.db")), "read only: unchanged");
    }
  }

  @Test
  void readWrite_newFile_readsWhatWasWrittenAndZerosInTheHoles() throws IOException {
    byte[] tail = SftpTestGateway.random(3000, 4);
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("rw-new.bin", EnumSet.of(OpenMode.Read, OpenMode.Write, OpenMode.Create))) {
        sftp.write(handle, 5000, tail, 0, tail.length);
        byte[] expected = new byte[5000 + tail.length];
        System.arraycopy(tail, 0, expected, 5000, tail.length);
        assertArrayEquals(expected, SftpTestGateway.readFully(sftp, handle, 0, expected.length));
      }
    }
  }

  @Test
  void readWrite_fileLargerThanTheSpillLimit_refusedAtOpenNamingIt_andUnchanged() throws IOException {
    byte[] data = SftpTestGateway.random(MIB + 1, 5);
    s3.put(ferry.bucket, ferry.key("big-rw.bin"), data);
    try (SftpClient sftp = ferry.login("alice")) {
      SftpException refused = assertThrows(SftpException.class, () -> sftp.open("big-rw.bin", READ_WRITE));
      assertTrue(refused.getMessage().contains("uploads.spillLimit (1048576 bytes)"), refused.getMessage());
      try (CloseableHandle handle = sftp.open("big-rw.bin", OpenMode.Read)) {
        assertEquals(10, sftp.read(handle, 0, new byte[10], 0, 10), "still readable on its own");
      }
    }
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("big-rw.bin")));
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket));
  }

  /**
   * A file renamed while a handle still writes it (sshfs hides a file a program deletes while it is
   * open under .fuse_hidden…, sqlite's journal every transaction) moves with what it holds, and the
   * handle writes on at the new name. Before, the rename failed with "no such file".
   */
  @Test
  void rename_whileOpenForWriting_theFileMovesAndTheHandleWritesOnThere() throws IOException {
    byte[] first = SftpTestGateway.random(5000, 6);
    byte[] second = SftpTestGateway.random(700, 7);
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("journal", EnumSet.of(OpenMode.Read, OpenMode.Write, OpenMode.Create))) {
        sftp.write(handle, 0, first, 0, first.length);
        sftp.rename("journal", ".fuse_hidden0001");
        assertArrayEquals(first, s3.read(ferry.bucket, ferry.key(".fuse_hidden0001")), "moved with what it held");
        assertTrue(s3.find(ferry.bucket, ferry.key("journal")).isEmpty(), "nothing left at the old name");
        sftp.write(handle, 100, second, 0, second.length);
        byte[] expected = first.clone();
        System.arraycopy(second, 0, expected, 100, second.length);
        assertArrayEquals(expected, SftpTestGateway.readFully(sftp, handle, 0, expected.length), "the handle reads on at the new name");
      }
      byte[] expected = first.clone();
      System.arraycopy(second, 0, expected, 100, second.length);
      assertArrayEquals(expected, s3.read(ferry.bucket, ferry.key(".fuse_hidden0001")));
      sftp.remove(".fuse_hidden0001");
    }
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket));
  }

  @Test
  void rename_whileOpenForWriting_ontoAnExistingFile_refusedAndTheHandleWritesOnAtItsName() throws IOException {
    s3.put(ferry.bucket, ferry.key("taken"), new byte[] {1, 2, 3});
    byte[] first = SftpTestGateway.random(300, 8);
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("stays", EnumSet.of(OpenMode.Write, OpenMode.Create))) {
        sftp.write(handle, 0, first, 0, first.length);
        assertThrows(SftpException.class, () -> sftp.rename("stays", "taken"));
        sftp.write(handle, first.length, first, 0, first.length);
      }
    }
    byte[] expected = Arrays.copyOf(first, 2 * first.length);
    System.arraycopy(first, 0, expected, first.length, first.length);
    assertArrayEquals(expected, s3.read(ferry.bucket, ferry.key("stays")));
    assertArrayEquals(new byte[] {1, 2, 3}, s3.read(ferry.bucket, ferry.key("taken")));
  }

}
