package io.fluxbus.r2dbc;

import io.fluxbus.ConfigException;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;

/**
 * How to reach the server: the R2DBC options parsed from the URL plus the explicit user, password and SSL mode.
 * {@link #toString()} and {@link #display()} name {@code host:port/database} only, never the password, so they are
 * safe in messages and logs. Immutable.
 */
final class ServerAddress {

  private static final Option<Boolean> TCP_KEEP_ALIVE = Option.valueOf("tcpKeepAlive");
  private static final Option<String> SSL_MODE = Option.valueOf("sslMode");
  private static final Option<String> APPLICATION_NAME = Option.valueOf("applicationName");

  private final ConnectionFactoryOptions options;
  private final String display;

  private ServerAddress(ConnectionFactoryOptions options) {
    this.options = options;
    Object host = options.getValue(ConnectionFactoryOptions.HOST);
    Object port = options.getValue(ConnectionFactoryOptions.PORT);
    Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
    this.display = host + ":" + (port == null ? 5432 : port) + (database == null ? "" : "/" + database);
  }

  /**
   * Parses an {@code r2dbc:postgresql://[user[:password]@]host[:port]/database[?options]} URL and applies the
   * explicit settings over it.
   *
   * @param user the user, or null to keep the URL's
   * @param password the password, or null to keep the URL's
   * @param sslMode {@code disable}, {@code allow}, {@code prefer}, {@code require}, {@code verify-ca},
   *     {@code verify-full}, or null to keep the URL's
   * @throws ConfigException when the URL is not an r2dbc PostgreSQL URL (the message omits any password)
   */
  static ServerAddress of(String url, String user, CharSequence password, String sslMode) {
    ConnectionFactoryOptions parsed;
    try {
      parsed = ConnectionFactoryOptions.parse(url);
    } catch (RuntimeException e) {
      throw new ConfigException("invalid url '" + redact(url) + "': expected "
          + "r2dbc:postgresql://[user[:password]@]host[:port]/database");
    }
    Object driver = parsed.getValue(ConnectionFactoryOptions.DRIVER);
    if (!"postgresql".equals(driver) && !"postgres".equals(driver)) {
      throw new ConfigException("invalid url '" + redact(url) + "': driver '" + driver + "' is not postgresql; "
          + "expected r2dbc:postgresql://host:port/database");
    }
    if (parsed.getValue(ConnectionFactoryOptions.HOST) == null) {
      throw new ConfigException("invalid url '" + redact(url) + "': no host; expected "
          + "r2dbc:postgresql://host:port/database");
    }
    ConnectionFactoryOptions.Builder builder = ConnectionFactoryOptions.builder().from(parsed)
        .option(ConnectionFactoryOptions.DRIVER, "postgresql")
        .option(TCP_KEEP_ALIVE, true);
    if (user != null) {
      builder.option(ConnectionFactoryOptions.USER, user);
    }
    if (password != null) {
      builder.option(ConnectionFactoryOptions.PASSWORD, password);
    }
    if (sslMode != null) {
      builder.option(SSL_MODE, sslMode);
    }
    return new ServerAddress(builder.build());
  }

  /**
   * The options for {@code ConnectionFactories.get}, with {@code application_name} set to {@code applicationName}
   * (what {@code pg_stat_activity} shows); they hold the password, so never print them.
   */
  ConnectionFactoryOptions options(String applicationName) {
    return ConnectionFactoryOptions.builder().from(options).option(APPLICATION_NAME, applicationName).build();
  }

  /** {@code host:port/database}. */
  String display() {
    return display;
  }

  /** The URL with any {@code user:password@} part reduced to {@code user:***@}. */
  static String redact(String url) {
    if (url == null) {
      return null;
    }
    return url.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
  }

  @Override
  public String toString() {
    return display;
  }
}
