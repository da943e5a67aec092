package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/jvm-options.sh, which run-demo.sh, the Dockerfile and the benchmarks take Ferry's JVM
 * options from: a JVM started with what it prints for a small heap runs the serial collector with
 * the young generation and free ratios it names, and trims glibc's heap where the JVM takes that
 * option; from 512 MiB it adds nothing; a heap that is not a size is refused, named.
 */
class JvmOptionsScriptTest {

  private static final String SERIAL =
      "-XX:+UseSerialGC -Xms64m -Xmn32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20";
  private static final Path SCRIPT = Path.of("..", "deploy", "jvm-options.sh").toAbsolutePath().normalize();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  record Run(int exit, String out) {}

  private static Run run(List<String> command) throws IOException, InterruptedException {
    return run(command, JAVA);
  }

  /** {@code java}: the JVM the script asks whether it takes an option (FERRY_JAVA). */
  private static Run run(List<String> command, String java) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("FERRY_JAVA", java);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not end");
    return new Run(process.exitValue(), out);
  }

  private static Run options(String heap) throws IOException, InterruptedException {
    return run(List.of("sh", SCRIPT.toString(), heap));
  }

  /** As a JVM without the native heap trim would answer: {@code false} refuses every option. */
  private static Run optionsForAJvmWithoutTrim(String heap) throws IOException, InterruptedException {
    return run(List.of("sh", SCRIPT.toString(), heap), "false");
  }

  @Test
  void smallHeap_aJvmWithThoseOptionsRunsTheSerialCollectorAsNamed() throws Exception {
    Run printed = options("256m");
    assertEquals(0, printed.exit(), printed.out());
    List<String> java = new ArrayList<>(List.of(JAVA, "-Xmx256m"));
    java.addAll(Arrays.asList(printed.out().trim().split("\\s+")));
    java.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    Run flags = run(java);
    assertEquals(0, flags.exit(), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bUseSerialGC\\s+= true.*"), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bUseG1GC\\s+= false.*"), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bMaxNewSize\\s+= 33554432\\b.*"), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bInitialHeapSize\\s+= 67108864\\b.*"), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bMinHeapFreeRatio\\s+= 10\\b.*"), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bMaxHeapFreeRatio\\s+= 20\\b.*"), flags.out());
    assertTrue(flags.out().matches("(?s).*\\bTrimNativeHeapInterval\\s+= 1000\\b.*"), flags.out());
  }

  /**
   * Below 512 MiB in any unit the serial collector's options, without the trim for a JVM that does
   * not take it (such a JVM would refuse to start with it); from 512 MiB nothing.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"262144k|" + SERIAL, "511m|" + SERIAL, "64M|" + SERIAL, "512m|", "1g|",
      "1536M|", "4G|"})
  void printsTheOptionsOfTheHeapsSize(String heap, String expected) throws Exception {
    Run printed = optionsForAJvmWithoutTrim(heap);
    assertEquals(0, printed.exit(), printed.out());
    assertEquals(expected == null ? "" : expected, printed.out().trim());
  }

  @ParameterizedTest
  @ValueSource(strings = {"big", "12q", "m", "-1g"})
  void notASize_refusedNamingIt(String heap) throws Exception {
    Run printed = options(heap);
    assertEquals(2, printed.exit(), printed.out());
    assertEquals("jvm-options.sh: heap '" + heap + "' is not a size such as 256m or 1g", printed.out().trim());
  }
}
