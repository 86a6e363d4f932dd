package io.fluxbus.r2dbc;

import io.fluxbus.ConfigException;
import io.fluxbus.internal.Redaction;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How to reach the server: the R2DBC options parsed from the URL plus the explicit user, password and SSL mode.
 * {@link #toString()} and {@link #display()} name {@code host:port/database} only, never the password, so they are
 * safe in messages and logs. Immutable.
 *
 * <p>A URL whose credentials the parser cannot tell from the host is refused rather than guessed at: an unencoded
 * {@code /} in the password ends the authority early (so {@code app:Pa55/w0rd@db/orders} parses as host
 * {@code app:Pa55}), and an unencoded {@code @} or {@code :} leaves it in the host. Every such parse shows up as a
 * host with a {@code :} or {@code @}, or a database with an {@code @}.
 *
 * <p>The engine's own connections (pool and listener, never a caller's outbox connection) bound stuck work with
 * {@link #SESSION_SETTINGS}, unless the URL sets them itself ({@code ?options=lock_timeout%3D5s},
 * {@code lockWaitTimeout}, {@code statementTimeout}): a pass blocked on a lock, a statement that runs away, or a
 * transaction left open fails and releases its connection, its locks and so its partitions, instead of holding them
 * for ever.
 */
final class PostgresAddress {

  private static final Option<Boolean> TCP_KEEP_ALIVE = Option.valueOf("tcpKeepAlive");
  private static final Option<String> SSL_MODE = Option.valueOf("sslMode");
  private static final Option<String> APPLICATION_NAME = Option.valueOf("applicationName");
  private static final String FORM = "r2dbc:postgresql://user[:password]@host[:port]/database";
  /** One host as the parser leaves it: a name or IPv4 address, or a bracketed IPv6 address; no port. */
  private static final Pattern HOST = Pattern.compile("\\[[0-9A-Fa-f:.]+\\]|[^:@\\[\\],/]+");
  /** The host list of a {@code failover} URL: hosts with optional ports, separated by commas. */
  private static final Pattern HOSTS = Pattern.compile("(" + HOST + ")(:\\d{1,5})?(,(" + HOST + ")(:\\d{1,5})?)*");
  /** PostgreSQL's session options, as the driver passes them at connect. */
  private static final Option<Object> SESSION_OPTIONS = Option.valueOf("options");
  /**
   * What the engine's connections are started with: waiting at most 10 s for a lock, 60 s for a statement, and an
   * open transaction idle for 60 s ends the session.
   */
  static final Map<String, String> SESSION_SETTINGS = Map.of("lock_timeout", "10s", "statement_timeout", "60s",
      "idle_in_transaction_session_timeout", "60s");

  private final ConnectionFactoryOptions options;
  /** The engine's session settings with the URL's own over them. */
  private final Map<String, String> session;
  private final String display;

  private PostgresAddress(ConnectionFactoryOptions options, Map<String, String> urlSession, boolean failover) {
    this.options = options;
    Map<String, String> settings = new LinkedHashMap<>(SESSION_SETTINGS);
    if (options.hasOption(ConnectionFactoryOptions.LOCK_WAIT_TIMEOUT)) {
      settings.remove("lock_timeout");
    }
    if (options.hasOption(ConnectionFactoryOptions.STATEMENT_TIMEOUT)) {
      settings.remove("statement_timeout");
    }
    settings.putAll(urlSession);
    this.session = Map.copyOf(settings);
    Object host = options.getValue(ConnectionFactoryOptions.HOST);
    Object port = options.getValue(ConnectionFactoryOptions.PORT);
    Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
    // a failover URL's hosts carry their own ports
    this.display = host + (failover ? "" : ":" + (port == null ? 5432 : port))
        + (database == null ? "" : "/" + database);
  }

  /**
   * Parses an {@code r2dbc:postgresql://user[:password]@host[:port]/database[?options]} URL and applies the explicit
   * settings over it. A user and password in the URL must be percent-encoded where they contain {@code /},
   * {@code @}, {@code :}, {@code ?} or {@code #} ({@code %2F}, {@code %40}, {@code %3A}, {@code %3F}, {@code %23}).
   *
   * @param user the user, or null to take the URL's
   * @param password the password, or null to take the URL's
   * @param sslMode {@code disable}, {@code allow}, {@code prefer}, {@code require}, {@code verify-ca},
   *     {@code verify-full}, or null to keep the URL's
   * @throws ConfigException when the URL is not an r2dbc PostgreSQL URL, when its host cannot be told from its
   *     credentials, or when neither it nor {@code user} names a user; the message shows the URL with everything
   *     before the host masked
   */
  static PostgresAddress of(String url, String user, CharSequence password, String sslMode) {
    String shown = Redaction.url(url);
    ConnectionFactoryOptions parsed;
    try {
      parsed = ConnectionFactoryOptions.parse(url);
    } catch (RuntimeException e) {
      throw new ConfigException("invalid url '" + shown + "': expected " + FORM);
    }
    Object driver = parsed.getValue(ConnectionFactoryOptions.DRIVER);
    if (!"postgresql".equals(driver) && !"postgres".equals(driver)) {
      throw new ConfigException("invalid url '" + shown + "': driver '" + driver + "' is not postgresql; expected "
          + FORM);
    }
    Object host = parsed.getValue(ConnectionFactoryOptions.HOST);
    if (host == null || host.toString().isEmpty()) {
      throw new ConfigException("invalid url '" + shown + "': no host; expected " + FORM);
    }
    Object database = parsed.getValue(ConnectionFactoryOptions.DATABASE);
    boolean failover = "failover".equals(parsed.getValue(ConnectionFactoryOptions.PROTOCOL));
    if (!(failover ? HOSTS : HOST).matcher(host.toString()).matches()
        || database != null && database.toString().contains("@")) {
      throw new ConfigException("invalid url '" + shown + "': the host cannot be told from the user and password; "
          + "percent-encode '/' (%2F), '@' (%40), ':' (%3A), '?' (%3F) and '#' (%23) in them, or give the password "
          + "on its own (password), e.g. " + FORM);
    }
    Object urlUser = parsed.getValue(ConnectionFactoryOptions.USER);
    if (user == null && (urlUser == null || urlUser.toString().isEmpty())) {
      throw new ConfigException("invalid url '" + shown + "': no user; name one in the url (" + FORM
          + ") or give it on its own (user)");
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
    return new PostgresAddress(builder.build(), sessionOptions(parsed.getValue(SESSION_OPTIONS), shown), failover);
  }

  /**
   * The options for the engine's own connections ({@code ConnectionFactories.get}): {@code application_name} set to
   * {@code applicationName} (what {@code pg_stat_activity} shows), and the {@link #SESSION_SETTINGS} the URL does not
   * set itself. They hold the password, so never print them.
   */
  ConnectionFactoryOptions options(String applicationName) {
    return ConnectionFactoryOptions.builder().from(options).option(APPLICATION_NAME, applicationName)
        .option(SESSION_OPTIONS, session).build();
  }

  /**
   * The URL's {@code options} in the driver's text form {@code name=value;name=value}.
   *
   * @throws ConfigException naming the pair that is not {@code name=value}
   */
  private static Map<String, String> sessionOptions(Object value, String shown) {
    Map<String, String> parsed = new LinkedHashMap<>();
    if (value == null) {
      return parsed;
    }
    for (String pair : value.toString().split(";")) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new ConfigException("invalid url '" + shown + "': options pair '" + pair + "' is not name=value; "
            + "expected e.g. options=lock_timeout%3D5s%3Bstatement_timeout%3D30s");
      }
      parsed.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
    }
    return parsed;
  }

  /** {@code host:port/database}. */
  String display() {
    return display;
  }

  @Override
  public String toString() {
    return display;
  }
}
