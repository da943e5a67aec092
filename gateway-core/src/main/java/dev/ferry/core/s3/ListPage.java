package dev.ferry.core.s3;

import java.util.List;

/** One page of a delimited listing: objects, common prefixes and the token for the next page. */
public record ListPage(List<ObjectInfo> objects, List<String> commonPrefixes, String nextToken) {

  public boolean hasNext() {
    return nextToken != null;
  }
}
