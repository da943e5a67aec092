package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteDefaults;
import dev.ferry.core.s3.WriteOptions;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;
import java.util.Set;

class PlacesTest {

  private static final WriteOptions NODE = new WriteOptions("AES256", null, null, null, null, Map.of());
  private static final WriteOptions PARTNER = new WriteOptions("aws:kms", "partner-key", null, "STANDARD_IA", null,
      Map.of("partner", "acme"));

  private static User user(String name, String home, WriteOptions objects) {
    return new User(name, null, S3Location.parsePrefix(home), Set.of(), List.of(), false,
        UserPolicy.NONE.withObjects(objects));
  }

  @Test
  void object_followsTheDeepestHomeHoldingIt_elseTheNodesDefaults() {
    Places policy = Places.of(WriteDefaults.of(NODE), List.of(
        user("ops", "s3://data/", WriteOptions.NONE),
        user("acme", "s3://data/partners/acme/", PARTNER)));

    assertEquals(PARTNER, policy.forObject(new S3Location("data", "partners/acme/in/report.csv")));
    assertEquals(NODE, policy.forObject(new S3Location("data", "partners/other/x")), "ops's home, no options of its own");
    assertEquals(NODE, policy.forObject(new S3Location("elsewhere", "partners/acme/x")), "another bucket");
    assertEquals(NODE, policy.forObject(new S3Location("data", "partners/acme")), "the folder's name itself is not in it");
  }

  @Test
  void twoUsersOfOneHome_sameOptionsTaken_differentOnesRefusedNamingBoth() {
    Places.of(WriteDefaults.of(NODE), List.of(user("a", "s3://data/shared/", PARTNER), user("b", "s3://data/shared/", PARTNER)));

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Places.of(WriteDefaults.of(NODE),
        List.of(user("a", "s3://data/shared/", PARTNER), user("b", "s3://data/shared/", WriteOptions.NONE))));
    assertTrue(refused.getMessage().contains("'a' and 'b' share the home s3://data/shared/"), refused.getMessage());
  }

  @Test
  void folders_writtenWithTheirOwnOptions_overTheDefaultsOfTheirBucketsService() {
    WriteOptions cold = new WriteOptions(null, null, null, "GLACIER_IR", null, Map.of("tier", "cold"));
    WriteOptions archiveDefaults = new WriteOptions("aws:kms", "archive-key", null, null, null, Map.of());
    WriteDefaults defaults = new WriteDefaults(NODE, Map.of("archive", archiveDefaults));
    User acme = new User("acme", null, S3Location.parsePrefix("s3://data/acme/"), Set.of(), List.of(), false,
        new UserPolicy(null, PARTNER, null, null, List.of(
            new VirtualFolder("cold", S3Location.parsePrefix("s3://data/cold/acme/"), Set.of(), "s3", cold,
                QuotaLimit.NONE),
            new VirtualFolder("old", S3Location.parsePrefix("s3://archive/acme/"), Set.of(), "archive",
                WriteOptions.NONE, QuotaLimit.NONE))));

    Places policy = Places.of(defaults, List.of(acme));

    assertEquals(cold.over(NODE), policy.forObject(new S3Location("data", "cold/acme/x.bin")));
    assertEquals(archiveDefaults, policy.forObject(new S3Location("archive", "acme/x.bin")),
        "a folder on another storage takes that storage's defaults, not the s3: section's");
    assertEquals(archiveDefaults, policy.forObject(new S3Location("archive", "elsewhere/x.bin")), "in no folder");
    assertEquals(PARTNER, policy.forObject(new S3Location("data", "acme/x.bin")));

    User other = new User("beta", null, S3Location.parsePrefix("s3://data/beta/"), Set.of(), List.of(), false,
        new UserPolicy(null, null, null, null, List.of(
            new VirtualFolder("cold", S3Location.parsePrefix("s3://data/cold/acme/"), Set.of(), "s3", WriteOptions.NONE,
                QuotaLimit.NONE))));
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> Places.of(defaults, List.of(acme, other)));
    assertTrue(refused.getMessage().contains("'acme' (folder /cold) and 'beta' (folder /cold) share s3://data/cold/acme/"),
        refused.getMessage());
  }
}
