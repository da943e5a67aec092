package dev.ferry.sftp.command;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an SSH exec command line into words the way a POSIX shell would quote them (single quotes,
 * double quotes with backslash escapes, backslash outside quotes), without expanding anything: the
 * admin console runs no shell.
 */
final class CommandWords {

  private CommandWords() {}

  static List<String> split(String line) throws AdminException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new AdminException(AdminStatus.BAD_REQUEST, "unterminated single quote in command line");
        }
        word.append(line, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        int j = i + 1;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char d = line.charAt(j);
          if (d == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
            word.append(line.charAt(++j));
          } else {
            word.append(d);
          }
        }
        if (j >= line.length()) {
          throw new AdminException(AdminStatus.BAD_REQUEST, "unterminated double quote in command line");
        }
        i = j;
        inWord = true;
      } else if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
