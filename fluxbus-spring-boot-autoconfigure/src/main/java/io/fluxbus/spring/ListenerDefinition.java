package io.fluxbus.spring;

import io.fluxbus.ConfigException;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.InvalidTopicException;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.Topics;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.springframework.boot.convert.DurationStyle;

/**
 * One {@link FluxbusListener} method with its settings resolved and checked: the annotation's, then any
 * {@code fluxbus.listeners.<id>.*} properties over them.
 *
 * @param id the listener's id
 * @param where the method as messages name it
 * @param bean the bean the method is called on
 * @param method the method, made accessible
 * @param signature what it takes and returns
 * @param pattern the topic pattern
 * @param group the consumer group, or null
 * @param async whether it is an async subscription
 * @param concurrency events handled at once (handlers only)
 * @param retry the retry policy
 * @param deadLetter the dead-letter topic, or null for the bus's default
 */
record ListenerDefinition(String id, String where, Object bean, Method method, ListenerSignature signature,
                          String pattern, String group, boolean async, int concurrency, RetryPolicy retry,
                          String deadLetter) {

  /**
   * Reads and checks an annotated method.
   *
   * @param method the method as declared, read for its signature and named in messages
   * @param invocable the method to call on {@code bean} (the proxy's, when the bean is a proxy)
   * @param resolve resolves {@code ${…}} placeholders
   * @throws ConfigException naming the method, the setting and what is allowed
   */
  static ListenerDefinition of(Object bean, String beanName, Method method, Method invocable,
                               FluxbusListener annotation, UnaryOperator<String> resolve) {
    String where = "@FluxbusListener " + method.getDeclaringClass().getName() + "." + method.getName() + "("
        + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "))
        + ") on bean '" + beanName + "'";
    ListenerSignature signature = ListenerSignature.of(method, where);
    String id = annotation.id().isEmpty() ? beanName + "." + method.getName() : annotation.id();
    if (!annotation.id().isEmpty() && !id.matches("[A-Za-z0-9_-]+")) {
      throw new ConfigException(where + ": id '" + id + "' may hold only letters, digits, '_' and '-'");
    }
    String pattern = resolve.apply(annotation.pattern());
    try {
      pattern = TopicPattern.of(pattern).value();
    } catch (InvalidPatternException e) {
      throw new ConfigException(where + ": pattern: " + e.getMessage(), e);
    }
    String group = blankToNull(resolve.apply(annotation.group()));
    if (group != null && group.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException(where + ": group '" + group + "' must not contain whitespace");
    }
    if (annotation.concurrency() < 1) {
      throw new ConfigException(where + ": concurrency " + annotation.concurrency() + " must be 1 or more");
    }
    if (annotation.concurrency() > 1 && (!annotation.async() || signature.isPipeline())) {
      throw new ConfigException(where + ": concurrency " + annotation.concurrency() + " applies to async handlers "
          + "only; " + (signature.isPipeline() ? "a pipeline sets its own (flatMap)" : "set async = true"));
    }
    RetryPolicy retry = retry(where, "maxAttempts", annotation.maxAttempts(),
        duration(where, "firstBackoff", resolve.apply(annotation.firstBackoff())),
        duration(where, "maxBackoff", resolve.apply(annotation.maxBackoff())));
    String deadLetter = topic(where, "deadLetter", blankToNull(resolve.apply(annotation.deadLetter())));
    invocable.setAccessible(true);
    return new ListenerDefinition(id, where, bean, invocable, signature, pattern, group, annotation.async(),
        annotation.concurrency(), retry, deadLetter);
  }

  /**
   * This listener with {@code fluxbus.listeners.<id>.*} applied; null settings keep the annotation's.
   *
   * @throws ConfigException naming the property and what is allowed
   */
  ListenerDefinition with(FluxbusProperties.Listener overrides) {
    if (overrides == null) {
      return this;
    }
    String prefix = "fluxbus.listeners[" + id + "]";
    RetryPolicy policy = retry(prefix, "max-attempts",
        overrides.maxAttempts() != null ? overrides.maxAttempts() : retry.maxAttempts(),
        overrides.firstBackoff() != null ? overrides.firstBackoff() : retry.firstBackoff(),
        overrides.maxBackoff() != null ? overrides.maxBackoff() : retry.maxBackoff());
    String letter = overrides.deadLetter() != null
        ? topic(prefix, "dead-letter", blankToNull(overrides.deadLetter())) : deadLetter;
    return new ListenerDefinition(id, where, bean, method, signature, pattern, group, async, concurrency, policy,
        letter);
  }

  /**
   * The options the subscription is made with. Handlers hand retry and dead letters to the bus; a pipeline's
   * failures end its {@code Flux}, so {@link PipelineListener} handles them and the bus gets neither.
   */
  SubscribeOptions options() {
    SubscribeOptions options = SubscribeOptions.defaults().async(async);
    if (group != null) {
      options = options.group(group);
    }
    if (signature.isPipeline()) {
      return options;
    }
    options = options.concurrency(concurrency).retry(retry);
    return deadLetter == null ? options : options.deadLetter(deadLetter);
  }

  /** How the endpoint describes the listener: {@code handler}, {@code blocking-handler} or {@code pipeline}. */
  String kind() {
    return switch (signature.shape()) {
      case PIPELINE -> "pipeline";
      case EVENT_VOID, PAYLOAD_VOID -> "blocking-handler";
      default -> "handler";
    };
  }

  private static RetryPolicy retry(String where, String key, int maxAttempts, Duration first, Duration max) {
    try {
      return RetryPolicy.exponential(maxAttempts, first, max);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + ": " + key + ": " + e.getMessage());
    }
  }

  private static Duration duration(String where, String key, String text) {
    try {
      return DurationStyle.detectAndParse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + ": " + key + ": '" + text + "' is not a duration; write e.g. 250ms, 2s, "
          + "1m or PT2S");
    }
  }

  private static String topic(String where, String key, String topic) {
    if (topic == null) {
      return null;
    }
    try {
      return Topics.requireValid(topic);
    } catch (InvalidTopicException e) {
      throw new ConfigException(where + ": " + key + ": " + e.getMessage(), e);
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }
}
