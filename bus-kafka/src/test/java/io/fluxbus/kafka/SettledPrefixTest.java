package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SettledPrefix: the position past the longest settled prefix")
class SettledPrefixTest {

  @Test
  @DisplayName("settling out of order moves the prefix only once the earliest is settled")
  void outOfOrderSettlingWaitsForTheEarliest() {
    SettledPrefix prefix = new SettledPrefix(10);
    prefix.track(10);
    prefix.track(11);
    prefix.track(12);
    prefix.settled(12);
    prefix.settled(11);
    assertThat(prefix.committable()).as("10 is still in hand").isEqualTo(10);
    prefix.settled(10);
    assertThat(prefix.committable()).isEqualTo(13);
    assertThat(prefix.inHand()).isZero();
  }

  @Test
  @DisplayName("positions the log skipped count as passed; an unsettled one holds the prefix")
  void gapsArePassedButAnUnsettledPositionHolds() {
    SettledPrefix prefix = new SettledPrefix(0);
    prefix.track(5);
    prefix.track(9);
    prefix.settled(9);
    assertThat(prefix.committable()).isEqualTo(5);
    prefix.settled(5);
    assertThat(prefix.committable()).isEqualTo(10);
    prefix.track(20);
    assertThat(prefix.committable()).as("nothing in hand below 20").isEqualTo(20);
  }

  @Test
  @DisplayName("positions must grow")
  void positionsMustGrow() {
    SettledPrefix prefix = new SettledPrefix(0);
    prefix.track(3);
    assertThatThrownBy(() -> prefix.track(3)).isInstanceOf(IllegalArgumentException.class);
  }
}
