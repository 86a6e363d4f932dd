package io.fluxbus.redis;

import io.fluxbus.internal.Redaction;
import io.lettuce.core.RedisURI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis server address that is safe to show: {@code redis://host:port/db} (or {@code rediss://}), never the
 * password. Every message, log line and {@code toString()} of the engine names the server through this class, and
 * text that may echo a URL (a parse error, a driver message) goes through {@link #redact} first.
 */
final class RedisAddress {

  /** The user-info part of a URL of any scheme: {@code scheme://<user-info>@}. */
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*://)([^@/\\s]*)@");

  private final RedisURI uri;
  private final String display;
  /** The password as written in the url and URL-decoded, to mask it wherever it might be echoed; may be empty. */
  private final String[] secrets;

  private RedisAddress(RedisURI uri, String[] secrets) {
    this.uri = uri;
    this.secrets = secrets;
    this.display = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
        + uri.getDatabase();
  }

  /**
   * Parses a {@code redis://} or {@code rediss://} URL ({@code redis://[[user:]password@]host[:port][/db]}).
   *
   * @throws IllegalArgumentException naming the URL with its password masked, when Lettuce cannot parse it
   */
  static RedisAddress parse(String url) {
    Objects.requireNonNull(url, "url must not be null");
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("url '" + Redaction.text(url) + "' is not a Redis URL ("
          + Redaction.text(String.valueOf(e.getMessage())) + "); expected redis://[[user:]password@]host[:port][/db] or "
          + "rediss:// for TLS");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("url '" + Redaction.text(url) + "' names no host; expected "
          + "redis://[[user:]password@]host[:port][/db] or rediss:// for TLS");
    }
    return new RedisAddress(uri, secretsOf(url));
  }

  private static String[] secretsOf(String url) {
    Matcher m = USER_INFO.matcher(url);
    if (!m.find()) {
      return new String[0];
    }
    String userInfo = m.group(2);
    String password = userInfo.substring(userInfo.indexOf(':') + 1);
    if (password.isEmpty()) {
      return new String[0];
    }
    String decoded;
    try {
      decoded = URLDecoder.decode(password, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = password;
    }
    return new String[] {password, decoded};
  }

  /** The URI to connect with (it holds the credentials; never print it). */
  RedisURI uri() {
    return uri;
  }

  /** Masks the credentials of every URL in {@code text} and any occurrence of this address's password. */
  String redact(String text) {
    return Redaction.text(text, List.of(secrets));
  }

  /** {@code redis://host:port/db}, without credentials. */
  @Override
  public String toString() {
    return display;
  }
}
