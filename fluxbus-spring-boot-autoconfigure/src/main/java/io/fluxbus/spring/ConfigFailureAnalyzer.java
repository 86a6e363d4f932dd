package io.fluxbus.spring;

import io.fluxbus.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link ConfigException} that failed startup into Spring Boot's failure report: the message (which names
 * where — the file and line, {@code fluxbus.*} for inline properties, or the listener method — the key and what is
 * allowed) and what to do.
 */
final class ConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
    return new FailureAnalysis("Fluxbus configuration is invalid:\n\n    " + cause.getMessage(),
        "Correct the key or method named above: an inline key is under 'fluxbus.' in the application's "
            + "properties (paths as written there, e.g. fluxbus.engines[0].config.bufferSize), a file's is in the file "
            + "'fluxbus.config' names, a listener's is in its @FluxbusListener or under 'fluxbus.listeners.<id>'. "
            + "The message says what is allowed.", cause);
  }
}
