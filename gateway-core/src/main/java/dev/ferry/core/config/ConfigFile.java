package dev.ferry.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * ferry.yaml as read: its top-level sections (values taken from the environment as they are read)
 * and the directory that relative paths in it start from. {@link dev.ferry.core.FerryConfig} parses the sections of
 * core and the front-ends; a module with sections of its own (gateway-jobs: jobs, remotes, admin)
 * parses them from the same file.
 */
public record ConfigFile(ConfigNode root, Path directory) {

  /**
   * A configuration built in code rather than read from a file (an application embedding Ferry):
   * {@code root} holds what ferry.yaml would (maps, lists, strings, numbers, booleans), and is parsed
   * and checked the same way; relative paths start from {@code directory}.
   */
  public static ConfigFile of(Map<String, Object> root, Path directory) {
    return new ConfigFile(new ConfigNode("", root, new EnvSubstitution(Map.of())), directory.toAbsolutePath());
  }

  public static ConfigFile load(Path file, Map<String, String> environment) {
    Map<String, Object> root;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      if (!(parsed instanceof Map)) {
        throw new ConfigException("", file + " must be a YAML mapping of sections");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) parsed;
      root = map;
    } catch (IOException e) {
      throw new ConfigException("", "cannot read " + file + ": " + e.getMessage());
    } catch (YAMLException e) {
      throw new ConfigException("", file + " is not valid YAML: " + e.getMessage());
    }
    return new ConfigFile(new ConfigNode("", root, new EnvSubstitution(environment)),
        file.toAbsolutePath().getParent());
  }
}
