package io.fluxbus.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.DeliveryMode;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("EngineSettings: typed, validating access to an engine's configuration")
class EngineSettingsTest {

  private static final String AT = "fluxbus.yaml:12:5: ";

  private static EngineSettings settings(Map<String, ?> values) {
    return EngineSettings.of("fast", "orders-service", values, key -> AT);
  }

  private static EngineSettings settings(String key, Object value) {
    return settings(Map.of(key, value));
  }

  // ---- general ----------------------------------------------------------------------------------------------

  @Test
  void exposesTheEngineNameAndTheSource() {
    // Given
    EngineSettings settings = EngineSettings.of("fast", "orders-service", Map.of());

    // When / Then
    assertThat(settings.engineName()).isEqualTo("fast");
    assertThat(settings.source()).contains("orders-service");
    assertThat(EngineSettings.of("fast", null, Map.of()).source()).isEmpty();
  }

  @Test
  void anAbsentKeyReadsAsEmptyFromEveryAccessor() {
    // Given
    EngineSettings settings = settings(Map.of());

    // When / Then
    assertThat(settings.string("url")).isEmpty();
    assertThat(settings.positiveInt("bufferSize")).isEmpty();
    assertThat(settings.duration("drainTimeout")).isEmpty();
    assertThat(settings.bool("durable")).isEmpty();
    assertThat(settings.oneOf("mode", List.of("a"))).isEmpty();
    assertThat(settings.deliveryMode("deliveryMode", Optional.empty())).isEmpty();
  }

  @Test
  void aNullValueReadsAsAbsent() {
    // Given a YAML "bufferSize:" with nothing after it, read from a file or not
    Map<String, Object> values = new HashMap<>();
    values.put("bufferSize", null);

    // When / Then
    assertThat(EngineSettings.of("fast", null, values).positiveInt("bufferSize")).isEmpty();
    assertThat(settings(values).positiveInt("bufferSize")).isEmpty();
  }

  @Test
  void errorsNameLocationEngineKeyExpectedTypeAndValue() {
    assertThatThrownBy(() -> settings("bufferSize", "lots").positiveInt("bufferSize"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(AT)
        .hasMessageContaining("engine 'fast'")
        .hasMessageContaining("key 'bufferSize'")
        .hasMessageContaining("must be a positive whole number")
        .hasMessageContaining("got string 'lots'");
  }

  @Test
  void settingsWithoutAFileHaveNoLocationPrefix() {
    assertThatThrownBy(() -> EngineSettings.of("fast", null, Map.of("bufferSize", "x")).positiveInt("bufferSize"))
        .hasMessageStartingWith("engine 'fast' key 'bufferSize'");
  }

  // ---- positiveInt ------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {1, 256, Integer.MAX_VALUE})
  void positiveIntReadsAPositiveNumber(int value) {
    assertThat(settings("bufferSize", value).positiveInt("bufferSize")).contains(value);
  }

  @Test
  void positiveIntReadsALongThatFitsAnInt() {
    assertThat(settings("bufferSize", 1024L).positiveInt("bufferSize")).contains(1024);
  }

  @Test
  void positiveIntReadsANumberWrittenAsAString() {
    assertThat(settings("bufferSize", " 1024 ").positiveInt("bufferSize")).contains(1024);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {0, -1})
  void positiveIntRejectsZeroAndNegatives(int value) {
    assertThatThrownBy(() -> settings("bufferSize", value).positiveInt("bufferSize"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("a positive whole number (1 to 2147483647)")
        .hasMessageContaining("got number '" + value + "'");
  }

  @Test
  void positiveIntRejectsANumberAboveIntMax() {
    assertThatThrownBy(() -> settings("bufferSize", 1L + Integer.MAX_VALUE).positiveInt("bufferSize"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("2147483648");
  }

  @Test
  void positiveIntRejectsAFraction() {
    assertThatThrownBy(() -> settings("bufferSize", 2.5).positiveInt("bufferSize"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("got number '2.5'");
  }

  @Test
  void positiveIntRejectsABoolean() {
    assertThatThrownBy(() -> settings("bufferSize", true).positiveInt("bufferSize"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("got boolean 'true'");
  }

  // ---- duration ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" is {1}")
  @CsvSource({
      "250ms, PT0.25S",
      "5s,    PT5S",
      "2m,    PT2M",
      "1h,    PT1H",
      "7d,    PT168H",
      "PT5S,  PT5S",
      "pt5s,  PT5S",
      "P7D,   PT168H",
      "1500us, PT0.0015S",
      "10ns,  PT0.00000001S",
      "'5 s', PT5S",
  })
  void durationReadsUnitSuffixesAndIso8601(String text, String expected) {
    assertThat(settings("drainTimeout", text).duration("drainTimeout")).contains(Duration.parse(expected));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"-5s", "0s", "0ms", "PT0S", "-PT5S", "abc", "5", "", "5 seconds", "1.5s",
      "99999999999999999999s", "999999999999999999us", "9999999999999999d"})
  void durationRejectsNonPositiveOrUnreadableTextNamingTheKeyAndValue(String text) {
    assertThatThrownBy(() -> settings("drainTimeout", text).duration("drainTimeout"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(AT)
        .hasMessageContaining("key 'drainTimeout'")
        .hasMessageContaining("a positive duration such as 250ms, 5s")
        .hasMessageContaining("got string '" + text + "'");
  }

  @Test
  void durationRejectsABareNumberBecauseItHasNoUnit() {
    assertThatThrownBy(() -> settings("drainTimeout", 5).duration("drainTimeout"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("a duration such as 250ms")
        .hasMessageContaining("got number '5'");
  }

  @Test
  void parseDurationSaysNullForTextThatIsNotADuration() {
    assertThat(EngineSettings.parseDuration("soon")).isNull();
    assertThat(EngineSettings.parseDuration("99999999999999999999d")).isNull();
  }

  // ---- bool -------------------------------------------------------------------------------------------------

  @Test
  void boolReadsBooleansAndTheirWords() {
    assertThat(settings("durable", true).bool("durable")).contains(true);
    assertThat(settings("durable", "FALSE").bool("durable")).contains(false);
    assertThat(settings("durable", "true").bool("durable")).contains(true);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"yes", "1", "on", ""})
  void boolRejectsOtherWords(String text) {
    assertThatThrownBy(() -> settings("durable", text).bool("durable"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("key 'durable' must be true or false, got string '" + text + "'");
  }

  // ---- string and oneOf -------------------------------------------------------------------------------------

  @Test
  void stringReadsScalarsAsText() {
    assertThat(settings("url", "redis://h:1").string("url")).contains("redis://h:1");
    assertThat(settings("port", 6379).string("port")).contains("6379");
  }

  @Test
  void stringRejectsAList() {
    assertThatThrownBy(() -> settings("url", List.of("a", "b")).string("url"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be a string, got list '[a, b]'");
  }

  @Test
  void oneOfReadsAnAllowedWordIgnoringCaseAndReturnsItInLowercase() {
    assertThat(settings("mode", "Streams").oneOf("mode", List.of("pubsub", "streams"))).contains("streams");
  }

  @Test
  void oneOfRejectsAnotherWordListingTheAllowedOnes() {
    assertThatThrownBy(() -> settings("mode", "queue").oneOf("mode", List.of("pubsub", "streams")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("key 'mode' must be one of [pubsub, streams], got string 'queue'");
  }

  // ---- deliveryMode -----------------------------------------------------------------------------------------

  @Test
  void deliveryModeReadsDropAndBlock() {
    assertThat(settings("deliveryMode", "drop").deliveryMode("deliveryMode", Optional.empty()))
        .contains(DeliveryMode.drop());
    assertThat(settings("deliveryMode", "BLOCK").deliveryMode("deliveryMode", Optional.empty()))
        .contains(DeliveryMode.block());
  }

  @Test
  void deliveryModeTimeoutUsesTheGivenTimeout() {
    assertThat(settings("deliveryMode", "timeout").deliveryMode("deliveryMode", Optional.of(Duration.ofMillis(250))))
        .contains(DeliveryMode.timeout(Duration.ofMillis(250)));
  }

  @Test
  void deliveryModeTimeoutWithoutATimeoutIsAnError() {
    assertThatThrownBy(() -> settings("deliveryMode", "timeout").deliveryMode("deliveryMode", Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(AT)
        .hasMessageContaining("key 'deliveryMode'")
        .hasMessageContaining("publishBlockTimeout");
  }

  @Test
  void deliveryModeRejectsAnUnknownMode() {
    assertThatThrownBy(() -> settings("deliveryMode", "wait").deliveryMode("deliveryMode", Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("one of [drop, block, timeout], got string 'wait'");
  }

  // ---- requireAllRead ---------------------------------------------------------------------------------------

  @Test
  void requireAllReadPassesWhenEveryKeyWasRead() {
    // Given
    EngineSettings settings = settings(Map.of("bufferSize", 8, "workers", 2));
    settings.positiveInt("bufferSize");
    settings.positiveInt("workers");

    // When / Then
    assertThatCode(settings::requireAllRead).doesNotThrowAnyException();
  }

  @Test
  void requireAllReadRejectsAnUnknownKeySuggestingTheClosestKnownOne() {
    // Given a typo of a key the engine reads
    EngineSettings settings = settings(Map.of("bufferSiz", 8));
    settings.positiveInt("bufferSize");
    settings.positiveInt("workers");
    settings.duration("drainTimeout");

    // When / Then
    assertThatThrownBy(settings::requireAllRead)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(AT)
        .hasMessageContaining("unknown key 'bufferSiz' for engine 'fast'")
        .hasMessageContaining("did you mean 'bufferSize'?")
        .hasMessageContaining("known keys: [bufferSize, drainTimeout, workers]");
  }

  @Test
  void requireAllReadSuggestsNothingWhenNoKnownKeyIsClose() {
    // Given
    EngineSettings settings = settings(Map.of("colour", "blue"));
    settings.positiveInt("bufferSize");

    // When / Then
    assertThatThrownBy(settings::requireAllRead)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'colour'")
        .hasMessageNotContaining("did you mean")
        .hasMessageContaining("known keys: [bufferSize]");
  }

  @Test
  void requireAllReadReportsTheFirstUnknownKeyInTheOrderGiven() {
    // Given
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("zeta", 1);
    values.put("alpha", 2);
    EngineSettings settings = EngineSettings.of("fast", null, values);

    // When / Then
    assertThatThrownBy(settings::requireAllRead).hasMessageContaining("unknown key 'zeta'");
  }

  @Test
  void closestMatchesIgnoringCase() {
    assertThat(EngineSettings.closest("BufferSize", List.of("bufferSize", "workers"))).isEqualTo("bufferSize");
    assertThat(EngineSettings.closest("xyz", List.of("bufferSize"))).isNull();
  }
}
