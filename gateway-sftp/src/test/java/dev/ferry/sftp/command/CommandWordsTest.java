package dev.ferry.sftp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandWordsTest {

  @Test
  void split_quotedWords_keptWhole() throws Exception {
    assertEquals(List.of("transfer", "b/my file", "h:/x/it's $(no)"),
        CommandWords.split("transfer 'b/my file'  \"h:/x/it's \\$(no)\""));
  }

  @Test
  void split_backslashAndAdjacentQuotes_joinOneWord() throws Exception {
    assertEquals(List.of("a b", "c'd"), CommandWords.split("a\\ b c\"'\"d"));
  }

  @Test
  void split_unterminatedQuote_badRequest() {
    AdminException e = assertThrows(AdminException.class, () -> CommandWords.split("jobs 'open"));
    assertEquals(AdminStatus.BAD_REQUEST, e.status());
  }
}
