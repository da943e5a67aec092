package dev.ferry.jobs.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.engine.JobState;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The commands' typed results are written as JSON exactly as the maps they replaced were (the HTTP
 * API and SSH exec's --json answer with it): same keys, same order, nulls kept or left out as before.
 */
class AdminResultsJsonTest {

  @Test
  void hosts_remote_sameJsonAsItsMap() {
    assertSameJson(map("name", "local", "address", "10.0.0.5", "port", 22, "user", "ferry", "roots", List.of("/data"),
        "hostKey", null), new AdminCommands.Hosts.Remote("local", "10.0.0.5", 22, "ferry", List.of("/data"), null));
  }

  @Test
  void df_space_sameJsonAsItsMap() {
    assertSameJson(map("totalBytes", 1000L, "availableBytes", 250L, "percentFree", 25.0, "source", "df"),
        new AdminCommands.Df.Space(1000, 250, 25.0, "df"));
  }

  @Test
  void jobs_countsAndPage_sameJsonAsTheMapAndList() {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    counts.put(JobState.DONE, 3L);
    assertSameJson(counts, JobList.counts(counts));
    assertSameJson(List.of(), JobList.page(List.of()));
  }

  @Test
  void users_configuredKeptAndOnlyDisabled_sameJsonAsTheirMaps() {
    assertSameJson(map("name", "ops", "source", "config", "home", "s3://b/ops/", "permissions", List.of("read"),
        "admin", true, "password", true, "publicKeys", 0, "sessions", 1, "disabled", false),
        new ListUsers.UserFacts("ops", "config", null, null, null, "s3://b/ops/", List.of("read"), true, true, 0, 1,
            false, null, null, null, null));
    assertSameJson(map("name", "kim", "source", "store", "version", 4L, "keys", List.of(map("fingerprint", "SHA256:x",
        "comment", "laptop")), "home", "s3://b/kim/", "permissions", List.of(), "admin", false, "password", false,
        "publicKeys", 1, "sessions", 0, "disabled", true, "disabledReason", "", "disabledBy", "ops", "disabledAt",
        "2026-01-01T00:00:00Z"), new ListUsers.UserFacts("kim", "store", null, 4L, List.of(new ListUsers.Key(
        "SHA256:x", "laptop")), "s3://b/kim/", List.of(), false, false, 1, 0, true, "", "ops", "2026-01-01T00:00:00Z",
        null));
    assertSameJson(map("name", "app1", "configured", false, "sessions", 0, "disabled", true, "disabledReason", "r",
        "disabledBy", "ops", "disabledAt", "t"), new ListUsers.UserFacts("app1", null, false, null, null, null, null,
        null, null, null, 0, true, "r", "ops", "t", null));
    assertSameJson(map("name", "capped", "source", "config", "home", "s3://b/capped/", "permissions", List.of("read"),
        "admin", false, "password", true, "publicKeys", 0, "sessions", 0, "disabled", false, "quota",
        map("bytes", 1024L, "files", 0L, "usedBytes", 512L, "usedFiles", 2L)), new ListUsers.UserFacts("capped",
        "config", null, null, null, "s3://b/capped/", List.of("read"), false, true, 0, 0, false, null, null, null,
        new ListUsers.Quota(1024, 0, 512, 2)));
  }

  @Test
  void user_eachSubCommand_sameJsonAsItsMap() {
    assertSameJson(map("user", "kim", "home", "s3://b/kim/", "permissions", List.of("read"), "admin", false, "keys",
        List.of("SHA256:x"), "version", 2L, "generatedPassword", "pw"), new UserChange("kim", "s3://b/kim/",
        List.of("read"), false, List.of("SHA256:x"), 2L, "pw", null, null, null, null, null, null));
    assertSameJson(map("user", "kim", "deleted", true, "sessionsClosed", 1), UserChange.deleted("kim", 1));
    assertSameJson(map("user", "kim", "disabled", false, "wasDisabled", true), UserChange.enabled("kim", true));
    assertSameJson(map("user", "kim", "disabled", true, "reason", "", "by", "ops", "sessionsClosed", 0),
        new UserChange("kim", null, null, null, null, null, null, null, true, "", "ops", 0, null));
  }

  @Test
  void disconnect_hereAndRequested_sameJsonAsTheirMaps() {
    assertSameJson(map("id", "s1", "node", "a", "disconnected", true),
        new SessionCommands.Disconnect.Outcome("s1", "a", true, null));
    assertSameJson(map("id", "s1", "node", "b", "disconnected", false, "requested", true),
        new SessionCommands.Disconnect.Outcome("s1", "b", false, true));
  }

  @Test
  void statSyncsWatches_sameJsonAsTheirMaps() {
    assertSameJson(map("bucket", "b", "key", "k", "size", 5L, "etag", "e", "lastModified", "t", "clientTime", null,
        "sha256", null, "factsFrom", "none"), new ObjectStat.Stat("b", "k", 5, "e", "t", null, null, "none"));
    assertSameJson(map("name", "s", "source", "h:/d", "target", "s3://b/p/", "every", "PT1M", "fullEvery", null,
        "lastRun", null, "running", null, "nextIncremental", "t", "nextFull", null, "fullPending", false),
        new SyncCommands.ListSyncs.Sync("s", "h:/d", "s3://b/p/", "PT1M", null, null, null, "t", null, false));
    assertSameJson(map("name", "w", "directory", "/in", "waiting", 1, "uploaded", 2L, "alreadyThere", 3L,
        "failedAttempts", 4L), new WatchCommands.ListWatches.Watch("w", "/in", 1, 2, 3, 4));
  }

  private static void assertSameJson(Object before, Object now) {
    assertEquals(AdminResponse.ok("", before).json(), AdminResponse.ok("", now).json());
    assertEquals(AdminResponse.ok("", before).dataJson(), AdminResponse.ok("", now).dataJson());
  }

  /** A LinkedHashMap of key, value, key, value...: nulls kept, as the commands' maps kept them. */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
