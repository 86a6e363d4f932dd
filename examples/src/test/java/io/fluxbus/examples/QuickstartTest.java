package io.fluxbus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class QuickstartTest {

  @Test
  @DisplayName("the quickstart publishes three orders, its pipeline sees the two big ones, and it stops cleanly")
  void quickstartRuns() {
    List<String> lines = Quickstart.run().collectList().block(Duration.ofSeconds(10));

    assertThat(lines).filteredOn(l -> l.startsWith("pipeline:")).hasSize(2)
        .allMatch(l -> l.contains("from quickstart"));
    assertThat(lines).filteredOn(l -> l.startsWith("published")).hasSize(3)
        .allMatch(l -> l.contains("delivered to 2"));
    assertThat(lines.get(lines.size() - 1)).startsWith("stats: BusStats[published=3");
  }

  @Test
  @DisplayName("the quickstart completes")
  void quickstartCompletes() {
    StepVerifier.create(Quickstart.run()).thenConsumeWhile(l -> true).expectComplete()
        .verify(Duration.ofSeconds(10));
  }
}
