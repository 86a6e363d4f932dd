package io.fluxbus.router;

import io.fluxbus.TopicPattern;
import java.util.List;

/**
 * One routing rule: topics matching any of {@code patterns} go to {@code engine}, unless an earlier rule matched.
 *
 * @param index the rule's position, 0 first
 * @param engine the engine's name
 * @param patterns the patterns, at least one
 */
record RoutingRule(int index, String engine, List<TopicPattern> patterns) {

  RoutingRule {
    patterns = List.copyOf(patterns);
  }
}
