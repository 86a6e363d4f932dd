package io.fluxbus.router;

import io.fluxbus.ConfigException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:default}} in configuration strings: a system property named
 * {@code NAME} first, then the environment variable, then the default. A variable with neither a value nor a
 * default is an error naming it.
 */
final class Variables {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.\\-]*)(?::([^}]*))?}");

  private final Function<String, String> lookup;

  Variables(Function<String, String> lookup) {
    this.lookup = lookup;
  }

  /** Resolves system properties, then the environment. */
  static Variables fromSystem() {
    return new Variables(name -> {
      String property = System.getProperty(name);
      return property != null ? property : System.getenv(name);
    });
  }

  /**
   * Substitutes every reference in {@code text}.
   *
   * @param where the position to name in errors, e.g. {@code fluxbus.yaml:12:10: key 'url'}
   * @throws ConfigException naming the variable when it is unset and has no default
   */
  String substitute(String text, String where) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = lookup.apply(m.group(1));
      if (value == null) {
        value = m.group(2);
      }
      if (value == null) {
        throw new ConfigException(where + ": variable '" + m.group(1) + "' is not set and has no default; "
            + "set it in the environment or as a system property, or write ${" + m.group(1) + ":default}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
