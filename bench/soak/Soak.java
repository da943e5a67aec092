import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The soak of issue 15 (a measurement that ends in a verdict, not a unit test): {@link LegitLoad}'s
 * users and {@link HostileLoad}'s attacker against one Ferry for SECONDS, a line a minute with what
 * the users did, their failures, what the attacker tried and was refused, and Ferry's RSS, threads,
 * open files and spill files; then every name checked in S3. It passes when the users saw no failure,
 * S3 holds exactly what they were told, no spill file is left, and Ferry's RSS, threads and open
 * files in the last minute are within 10 % of the second minute's.
 *
 * <pre>java -cp ferry.jar:commons-net.jar:CLASSES Soak key=value...
 *   host ftps implicit sftp admin password users sessions seconds addresses (comma-separated)
 *   ferryPid dataDir s3 s3Key s3Secret bucket bigFile [hostile=false: the users alone]</pre>
 *
 * Everything stays on loopback and stops by itself.
 */
public final class Soak {

  private static final double DRIFT_ALLOWED = 0.10;

  public static void main(String[] args) throws Exception {
    Map<String, String> arg = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      arg.put(a.substring(0, eq), a.substring(eq + 1));
    }
    String host = arg.get("host");
    int sftp = Integer.parseInt(arg.get("sftp"));
    int ftps = Integer.parseInt(arg.get("ftps"));
    int[] ports = {sftp, ftps, Integer.parseInt(arg.get("implicit")), Integer.parseInt(arg.get("admin"))};
    String password = arg.get("password");
    long ferryPid = Long.parseLong(arg.get("ferryPid"));
    Path spill = Path.of(arg.get("dataDir")).resolve("spill");

    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(Long.parseLong(arg.get("seconds"))).toNanos();
    LegitLoad legit = new LegitLoad();
    HostileLoad hostile = new HostileLoad();
    legit.start(host, sftp, ftps, password, Integer.parseInt(arg.get("users")), Integer.parseInt(arg.get("sessions")),
        arg.get("addresses").split(","), deadline);
    if (!"false".equals(arg.get("hostile"))) {
      // The attack begins once the users are in, as it would on a server in service; the users go on
      // logging in again every few dozen operations all through it.
      Thread.sleep(LegitLoad.RAMP_UP.toMillis());
      hostile.start(host, ports, password, arg.get("bigFile"), deadline);
    }

    System.out.println("min  uploads  downloads  lists  deletes  logins  MB moved  failures | attacker: conns  "
        + "closed  refused  hoarders  ports | Ferry: RSS MiB  threads  open files  spill MiB");
    List<long[]> ferry = new ArrayList<>();
    long[] last = new long[6];
    for (int minute = 1; System.nanoTime() < deadline; minute++) {
      long next = started + Duration.ofMinutes(minute).toNanos();
      // The report's own clock: a line at each full minute of the run.
      Thread.sleep(Math.max(1, (Math.min(next, deadline) - System.nanoTime()) / 1_000_000));
      long[] now = {legit.uploads.get(), legit.downloads.get(), legit.listings.get(), legit.deletes.get(),
          legit.logins.get(), legit.bytes.get()};
      long[] process = {statusKib(ferryPid, "VmRSS:") / 1024, statusKib(ferryPid, "Threads:"), openFiles(ferryPid)};
      ferry.add(process);
      System.out.printf("%3d  %7d  %9d  %5d  %7d  %6d  %8.0f  %8d | %15d  %6d  %7d  %8d  %5d | %12d  %7d  %10d  %9d%n",
          minute, now[0] - last[0], now[1] - last[1], now[2] - last[2], now[3] - last[3], now[4] - last[4],
          (now[5] - last[5]) / 1e6, legit.failures.get(), hostile.silentOpened.get(),
          hostile.silentClosedByFerry.get(), hostile.refusedByFerry.get() + hostile.hoardingRefused.get(),
          hostile.hoardingLogins.get(), hostile.portsTaken.get(), process[0], process[1], process[2],
          diskUse(spill) >> 20);
      System.out.flush();
      last = now;
    }
    hostile.join(Duration.ofMinutes(2));
    legit.join(Duration.ofMinutes(2));
    System.out.printf("users: %d uploads, %d downloads, %d listings, %d deletes, %d logins, %.0f MB, %d failures%n",
        legit.uploads.get(), legit.downloads.get(), legit.listings.get(), legit.deletes.get(), legit.logins.get(),
        legit.bytes.get() / 1e6, legit.failures.get());
    System.out.printf("attacker: %d silent connections opened, %d closed by Ferry; %d read handles, %d MiB written"
        + " ahead; %d hoarding logins, %d refused; %d passive ports taken; %d other refusals%n",
        hostile.silentOpened.get(), hostile.silentClosedByFerry.get(), hostile.readHandles.get(),
        hostile.writeAheadBytes.get() >> 20, hostile.hoardingLogins.get(), hostile.hoardingRefused.get(),
        hostile.portsTaken.get(), hostile.refusedByFerry.get());

    List<String> verdict = new ArrayList<>();
    if (legit.failures.get() > 0) {
      verdict.add(legit.failures.get() + " failures of legitimate users");
    }
    long wrong = legit.checkS3(arg.get("s3"), arg.get("s3Key"), arg.get("s3Secret"), arg.get("bucket"),
        HostileLoad.SFTP_USER + "/", HostileLoad.FTPS_USER + "/");
    if (wrong > 0) {
      verdict.add(wrong + " objects in S3 not as their users were told");
    }
    long spillLeft = diskUse(spill);
    if (spillLeft > 0) {
      verdict.add(spillLeft + " bytes of spill files left after every session closed");
    }
    if (ferry.size() >= 3) {
      String[] names = {"RSS", "threads", "open files"};
      long[] second = ferry.get(1);
      long[] lastMinute = ferry.get(ferry.size() - 1);
      for (int i = 0; i < names.length; i++) {
        double drift = (double) (lastMinute[i] - second[i]) / second[i];
        System.out.printf("%s: minute 2 %d, minute %d %d (%+.1f %%)%n", names[i], second[i], ferry.size(),
            lastMinute[i], drift * 100);
        if (Math.abs(drift) > DRIFT_ALLOWED) {
          verdict.add(names[i] + " moved " + Math.round(drift * 100) + " % from minute 2 to minute " + ferry.size());
        }
      }
    } else {
      verdict.add("too short a run to compare minute 2 with the last");
    }
    System.out.println(verdict.isEmpty() ? "SOAK OK" : "SOAK FAILED: " + String.join("; ", verdict));
    System.exit(verdict.isEmpty() ? 0 : 1);
  }

  private static long statusKib(long pid, String field) {
    try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
      return lines.filter(l -> l.startsWith(field))
          .mapToLong(l -> Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]))
          .findFirst().orElse(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  private static long openFiles(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static long diskUse(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException gone) {
          return 0; // a spill file removed while walking
        }
      }).sum();
    } catch (IOException | RuntimeException e) {
      return 0; // a directory removed while walking: nothing left in it
    }
  }
}
