package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DeliveryMode and StartPosition: validated values")
class DeliveryModeTest {

  @Test
  void timeoutKeepsItsWait() {
    // When
    DeliveryMode mode = DeliveryMode.timeout(Duration.ofMillis(250));

    // Then
    assertThat(mode).isInstanceOfSatisfying(DeliveryMode.Timeout.class,
        t -> assertThat(t.maxWait()).isEqualTo(Duration.ofMillis(250)));
    assertThat(mode).hasToString("timeout(PT0.25S)");
  }

  @Test
  void timeoutsWithTheSameWaitAreEqual() {
    assertThat(DeliveryMode.timeout(Duration.ofSeconds(1))).isEqualTo(DeliveryMode.timeout(Duration.ofSeconds(1)));
  }

  @Test
  void timeoutRejectsAZeroWait() {
    assertThatIllegalArgumentException().isThrownBy(() -> DeliveryMode.timeout(Duration.ZERO))
        .withMessageContaining("positive wait")
        .withMessageContaining("PT0S");
  }

  @Test
  void timeoutRejectsANegativeWait() {
    assertThatIllegalArgumentException().isThrownBy(() -> DeliveryMode.timeout(Duration.ofMillis(-1)))
        .withMessageContaining("PT-0.001S");
  }

  @Test
  void timeoutRejectsANullWait() {
    assertThatNullPointerException().isThrownBy(() -> DeliveryMode.timeout(null)).withMessageContaining("maxWait");
  }

  @Test
  void dropAndBlockAreSingletonsNamedForConfiguration() {
    assertThat(DeliveryMode.drop()).isSameAs(DeliveryMode.drop()).hasToString("drop");
    assertThat(DeliveryMode.block()).isSameAs(DeliveryMode.block()).hasToString("block");
  }

  @Test
  void startPositionAtRejectsANullTime() {
    assertThatNullPointerException().isThrownBy(() -> StartPosition.at(null)).withMessageContaining("time");
  }

  @Test
  void startPositionAtKeepsItsTime() {
    // Given
    Instant time = Instant.parse("2024-01-01T00:00:00Z");

    // When / Then
    assertThat(StartPosition.at(time)).isEqualTo(new StartPosition.At(time));
  }
}
