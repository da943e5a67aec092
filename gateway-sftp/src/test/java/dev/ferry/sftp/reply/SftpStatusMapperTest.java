package dev.ferry.sftp.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.Test;

/** The status and text a client is given for an error (the text is what paramiko and WinSCP show). */
class SftpStatusMapperTest {

  /** OpenSSH's server answers ENOTDIR and EBADF with "no such file"; a v3 client knows no other code for them. */
  @Test
  void version3_notADirectoryAndBadHandle_areNoSuchFile_asOpenSshSends() {
    assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, SftpStatusMapper.inVersion3(SftpConstants.SSH_FX_NOT_A_DIRECTORY));
    assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, SftpStatusMapper.inVersion3(SftpConstants.SSH_FX_INVALID_HANDLE));
    assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, SftpStatusMapper.inVersion3(SftpConstants.SSH_FX_NO_SUCH_PATH));
    assertEquals(SftpConstants.SSH_FX_FAILURE, SftpStatusMapper.inVersion3(SftpConstants.SSH_FX_DIR_NOT_EMPTY));
    assertEquals(SftpConstants.SSH_FX_PERMISSION_DENIED, SftpStatusMapper.inVersion3(SftpConstants.SSH_FX_PERMISSION_DENIED));
  }

  /** MINA accepts versions 3 to 6; a version 4 or 5 client got version 6 codes it does not know. */
  @Test
  void versions4And5_getTheCodesTheyDefine_andTranslationsOfLaterOnes() {
    assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS,
        SftpStatusMapper.inVersion(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, SftpConstants.SFTP_V4));
    assertEquals(SftpConstants.SSH_FX_FAILURE,
        SftpStatusMapper.inVersion(SftpConstants.SSH_FX_DIR_NOT_EMPTY, SftpConstants.SFTP_V4));
    assertEquals(SftpConstants.SSH_FX_LOCK_CONFLICT,
        SftpStatusMapper.inVersion(SftpConstants.SSH_FX_LOCK_CONFLICT, SftpConstants.SFTP_V5));
    assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE,
        SftpStatusMapper.inVersion(SftpConstants.SSH_FX_NOT_A_DIRECTORY, SftpConstants.SFTP_V5));
    assertEquals(SftpConstants.SSH_FX_NOT_A_DIRECTORY,
        SftpStatusMapper.inVersion(SftpConstants.SSH_FX_NOT_A_DIRECTORY, SftpConstants.SFTP_V6));
    assertEquals(SftpConstants.SSH_FX_FAILURE,
        SftpStatusMapper.inVersion(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, SftpConstants.SFTP_V3));
  }

  /** MINA's own checks: before, "/a -> /a: Attributes N/A for target" and "/a.txt: General failure". */
  @Test
  void minasOwnChecks_nameThePathOnceAndSayWhatIsWrong() {
    assertEquals("/nope: no such file or directory", SftpStatusMapper.messageOf(
        new NoSuchFileException("/nope", "/nope", "Attributes N/A for target"), SftpConstants.SSH_FX_NO_SUCH_FILE));
    assertEquals("/a.txt: not a directory", SftpStatusMapper.messageOf(
        new NotDirectoryException("/a.txt"), SftpConstants.SSH_FX_NOT_A_DIRECTORY));
    assertEquals("/a.txt: already exists", SftpStatusMapper.messageOf(
        new FileAlreadyExistsException("/a.txt", "/a.txt", "Already exists as a file"),
        SftpConstants.SSH_FX_FILE_ALREADY_EXISTS));
    assertEquals("/d: directory not empty", SftpStatusMapper.messageOf(
        new DirectoryNotEmptyException("/d"), SftpConstants.SSH_FX_DIR_NOT_EMPTY));
  }

  @Test
  void coresErrors_keepTheirReasonAndBothPaths() {
    assertEquals("/a -> /b: rename by alice: no such file or directory", SftpStatusMapper.messageOf(
        new NoSuchFileException("/a", "/b", "rename by alice: no such file or directory"),
        SftpConstants.SSH_FX_NO_SUCH_FILE));
    assertEquals("upload limit reached", SftpStatusMapper.messageOf(
        new java.io.IOException("upload limit reached"), SftpConstants.SSH_FX_FAILURE));
  }
}
