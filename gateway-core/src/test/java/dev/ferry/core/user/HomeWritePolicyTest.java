package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;
import java.util.Set;

class HomeWritePolicyTest {

  private static final WriteOptions NODE = new WriteOptions("AES256", null, null, null, null, Map.of());
  private static final WriteOptions PARTNER = new WriteOptions("aws:kms", "partner-key", null, "STANDARD_IA", null,
      Map.of("partner", "acme"));

  private static User user(String name, String home, WriteOptions objects) {
    return new User(name, null, S3Location.parsePrefix(home), Set.of(), List.of(), false,
        UserPolicy.NONE.withObjects(objects));
  }

  @Test
  void object_followsTheDeepestHomeHoldingIt_elseTheNodesDefaults() {
    HomeWritePolicy policy = HomeWritePolicy.of(NODE, List.of(
        user("ops", "s3://data/", WriteOptions.NONE),
        user("acme", "s3://data/partners/acme/", PARTNER)));

    assertEquals(PARTNER, policy.forObject(new S3Location("data", "partners/acme/in/report.csv")));
    assertEquals(NODE, policy.forObject(new S3Location("data", "partners/other/x")), "ops's home, no options of its own");
    assertEquals(NODE, policy.forObject(new S3Location("elsewhere", "partners/acme/x")), "another bucket");
    assertEquals(NODE, policy.forObject(new S3Location("data", "partners/acme")), "the folder's name itself is not in it");
  }

  @Test
  void twoUsersOfOneHome_sameOptionsTaken_differentOnesRefusedNamingBoth() {
    HomeWritePolicy.of(NODE, List.of(user("a", "s3://data/shared/", PARTNER), user("b", "s3://data/shared/", PARTNER)));

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> HomeWritePolicy.of(NODE,
        List.of(user("a", "s3://data/shared/", PARTNER), user("b", "s3://data/shared/", WriteOptions.NONE))));
    assertTrue(refused.getMessage().contains("'a' and 'b' share the home s3://data/shared/"), refused.getMessage());
  }
}
