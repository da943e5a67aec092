package dev.ferry.core.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A directory rename as the user sees it afterwards: the parent lists the new name and nothing of
 * the old one, and every file is there under the new name.
 */
class TreeRenameIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  /**
   * A tree as {@code mkdir} and lftp's {@code mirror -R} leave it: a directory marker ("name/")
   * for every directory, at several depths, some directories empty.
   */
  private static final List<String> TREE = List.of("", "a.txt", "b.txt", "empty dir/", "sub dir/",
      "sub dir/deeper/", "sub dir/deeper/leaf.txt", "sub dir/deeper/more/", "sub dir/n.bin", "z/", "z/y/", "z/y/x.txt");

  private static ObjectStore store;
  private static StateStore state;

  @BeforeAll
  static void openStore(@TempDir Path directory) throws IOException {
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(),
        true, 16, 5L << 30));
    state = TestStateStores.embedded(directory);
  }

  @AfterAll
  static void closeStore() {
    store.close();
    state.close();
  }

  /**
   * S3Proxy's filesystem store, Ferry's embedded default, deletes a batch's keys in parallel; a
   * marker deleted beside its directory's last files used to leave the directory behind, listed
   * under the old name. That happened in about one rename in fifteen, so the tree moves 30 times.
   */
  @Test
  void move_treeWithNestedDirectoryMarkers_parentListsOnlyTheNewNameAfterEveryMove() throws IOException {
    String bucket = s3.createBucket();
    for (String entry : TREE) {
      s3.put(bucket, "home/dir0/" + entry, entry.endsWith("/") || entry.isEmpty() ? new byte[0] : content(entry));
    }
    TreeRename rename = new TreeRename(store, TestStateStores.catalog(state), 8);

    for (int move = 1; move <= 30; move++) {
      String from = "home/dir" + (move - 1) + "/";
      String to = "home/dir" + move + "/";
      rename.move(new S3Location(bucket, from), new S3Location(bucket, to));

      ListObjectsV2Response home = s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("home/").delimiter("/"));
      assertEquals(List.of(to), home.commonPrefixes().stream().map(CommonPrefix::prefix).toList(),
          "directories listed in home/ after moving " + from + " to " + to);
      assertEquals(List.of(), home.contents().stream().map(S3Object::key).toList(), "files listed in home/");
      assertEquals(TREE.stream().map(entry -> to + entry).sorted().toList(), s3.keys(bucket, to));
    }
    for (String entry : TREE) {
      if (!entry.isEmpty() && !entry.endsWith("/")) {
        assertArrayEquals(content(entry), s3.read(bucket, "home/dir30/" + entry));
      }
    }
  }

  private static byte[] content(String entry) {
    return ("bytes of " + entry).getBytes(StandardCharsets.UTF_8);
  }
}
