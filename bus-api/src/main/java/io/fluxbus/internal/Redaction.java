package io.fluxbus.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials kept out of messages, logs and {@code toString()}, the same for every engine: what an engine shows of
 * a server URL, and of free text (a driver's error) that may echo one. Never throws; null stays null.
 */
public final class Redaction {

  private static final String MASK = "***";
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*://)([^@/\\s]*)@");
  private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

  private Redaction() {}

  /**
   * One URL as it may be shown: everything between {@code ://} and the last {@code @} (user and password, whatever
   * they contain) replaced by {@code ***}, and any {@code password=} option masked. Safe even when the URL cannot be
   * parsed.
   */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int from = scheme < 0 ? 0 : scheme + 3;
    int at = url.lastIndexOf('@');
    String masked = at >= from ? url.substring(0, from) + MASK + url.substring(at) : url;
    return QUERY_PASSWORD.matcher(masked).replaceAll("$1" + MASK);
  }

  /**
   * Free text with the password of every URL in it masked, the user name kept ({@code redis://app:***@host});
   * user info without {@code :} is masked whole, since clients such as Lettuce read it as a password.
   */
  public static String text(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = USER_INFO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String userInfo = m.group(2);
      int colon = userInfo.indexOf(':');
      String masked = colon < 0 ? MASK : userInfo.substring(0, colon) + ":" + MASK;
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked + "@"));
    }
    m.appendTail(out);
    return QUERY_PASSWORD.matcher(out).replaceAll("$1" + MASK);
  }

  /** Free text ({@link #text}) with every occurrence of each secret masked too. */
  public static String text(String text, Iterable<String> secrets) {
    String redacted = text(text);
    if (redacted == null) {
      return null;
    }
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        redacted = redacted.replace(secret, MASK);
      }
    }
    return redacted;
  }
}
