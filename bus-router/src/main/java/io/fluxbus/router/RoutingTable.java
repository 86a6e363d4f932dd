package io.fluxbus.router;

import io.fluxbus.TopicPattern;
import io.fluxbus.Topics;
import io.fluxbus.internal.TopicTrie;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which engine carries a topic, and which engines a pattern can reach: the rules in order (the first rule with a
 * matching pattern wins) and the default engine for topics no rule matches. Topics are looked up in a segment trie of
 * the rules; patterns are answered by pattern algebra and cached. Immutable and thread-safe.
 */
final class RoutingTable {

  private static final RoutingRule[] NO_RULES = new RoutingRule[0];

  private final List<RoutingRule> rules;
  private final String defaultEngine;
  private final TopicTrie<RoutingRule> trie = new TopicTrie<>(RoutingRule::index, NO_RULES);
  private final Map<String, List<String>> enginesByPattern = new ConcurrentHashMap<>();

  RoutingTable(List<RoutingRule> rules, String defaultEngine) {
    this.rules = List.copyOf(rules);
    this.defaultEngine = defaultEngine;
    for (RoutingRule rule : this.rules) {
      for (TopicPattern pattern : rule.patterns()) {
        trie.add(pattern, rule);
      }
    }
  }

  /**
   * The engine an event on {@code topic} goes to.
   *
   * @throws io.fluxbus.InvalidTopicException if the topic is invalid
   */
  String engineFor(String topic) {
    RoutingRule[] matched = trie.match(Topics.requireValid(topic));
    return matched.length == 0 ? defaultEngine : matched[0].engine();
  }

  /**
   * The engines a subscription to {@code pattern} is made on: every rule's engine whose patterns could match a
   * topic that the pattern matches, up to the first rule that takes all of them, then the default engine.
   *
   * @throws io.fluxbus.InvalidPatternException if the pattern is invalid
   */
  List<String> enginesFor(String pattern) {
    return enginesByPattern.computeIfAbsent(TopicPattern.of(pattern).value(), p -> {
      TopicPattern subscription = TopicPattern.of(p);
      Set<String> names = new LinkedHashSet<>();
      for (RoutingRule rule : rules) {
        boolean takesAll = false;
        for (TopicPattern rulePattern : rule.patterns()) {
          if (PatternAlgebra.intersects(rulePattern, subscription)) {
            names.add(rule.engine());
          }
          takesAll |= PatternAlgebra.covers(rulePattern, subscription);
        }
        if (takesAll) {
          return List.copyOf(names);
        }
      }
      names.add(defaultEngine);
      return List.copyOf(names);
    });
  }

  String defaultEngine() {
    return defaultEngine;
  }

  int size() {
    return rules.size();
  }

  /** One warning per rule pattern that an earlier rule's pattern covers completely, so it can never match. */
  List<String> shadowWarnings() {
    List<String> warnings = new ArrayList<>();
    for (int i = 1; i < rules.size(); i++) {
      RoutingRule rule = rules.get(i);
      for (TopicPattern pattern : rule.patterns()) {
        for (RoutingRule earlier : rules.subList(0, i)) {
          TopicPattern wider = earlier.patterns().stream().filter(p -> PatternAlgebra.covers(p, pattern))
              .findFirst().orElse(null);
          if (wider != null) {
            warnings.add("routing rule " + (i + 1) + " pattern '" + pattern + "' (engine '" + rule.engine()
                + "') can never match: rule " + (earlier.index() + 1) + " pattern '" + wider + "' (engine '"
                + earlier.engine() + "') takes every topic it matches");
            break;
          }
        }
      }
    }
    return warnings;
  }
}
