package io.fluxbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fluxbus.ConfigException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad configuration files under {@code src/test/resources/bad}: each file's first line says
 * {@code # expect: <fragment>}; reading the file must fail with a {@link ConfigException} whose message contains
 * the fragment and starts with the file's path and the line and column of the offending key.
 */
class ConfigErrorCatalogueTest {

  static Stream<Path> badFiles() throws IOException, URISyntaxException {
    Path dir = Path.of(ConfigErrorCatalogueTest.class.getResource("/bad").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void theCatalogueHasAtLeastTwentyFiles() throws Exception {
    assertThat(badFiles()).hasSizeGreaterThanOrEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void badFileIsRejectedWithItsPositionAndTheExpectedMessage(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).as("first line of %s", file).startsWith("# expect: ");
    String expected = lines.get(0).substring("# expect: ".length());

    ConfigException error = catchThrowableOfType(ConfigException.class, () -> EventBuses.fromYaml(file));

    assertThat(error).as("reading %s", file.getFileName()).isNotNull();
    assertThat(error.getMessage()).contains(expected);
    if (file.getFileName().toString().equals("empty-file.yaml")) {
      assertThat(error.getMessage()).startsWith(file + ": ");
    } else {
      assertThat(error.getMessage()).matches("\\Q" + file + "\\E:\\d+:\\d+: (?s).*");
    }
  }
}
