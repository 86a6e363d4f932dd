package io.fluxbus.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@code group_leases} function as members call it: {@code (group, pattern, member, lease ms, mode)}, mode 0 a
 * heartbeat, 1 a rebalance, 2 leaving. Called here directly, so that each test sets the scene exactly.
 */
@DisplayName("group_leases: heartbeats and fair shares")
class GroupLeasesTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("leases");
  private static final String Q = "\"" + SCHEMA + "\"";
  private static final int PARTITIONS = 8;

  @BeforeAll
  static void createSchema() {
    PostgresEventBus bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).partitions(PARTITIONS)
        .build());
    TestBuses.stop(bus);
  }

  @BeforeEach
  void aGroupWithEightFreePartitions() {
    PostgresTestServer.execute("DELETE FROM " + Q + ".group_member");
    PostgresTestServer.execute("DELETE FROM " + Q + ".group_partition");
    PostgresTestServer.execute("INSERT INTO " + Q + ".group_partition (group_name, pattern, partition_no, cursor_tx, "
        + "cursor_pos) SELECT 'g', 'p', n, '0'::xid8, 0 FROM generate_series(0, " + (PARTITIONS - 1) + ") n");
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("with four live members, a rebalancing member takes its share of eight free partitions, two, not all")
  void aRebalanceTakesAtMostTheFairShare() {
    for (String other : List.of("b", "c", "d")) {
      PostgresTestServer.execute("INSERT INTO " + Q + ".group_member (group_name, pattern, member_id, alive_until) "
          + "VALUES ('g', 'p', '" + other + "', now() + interval '1 hour')");
    }

    List<String> held = leases("a", 1);

    assertThat(held).hasSize(2);
    assertThat(PostgresTestServer.query("SELECT count(*) FROM " + Q + ".group_partition WHERE owner IS NULL"))
        .containsExactly("6");
  }

  @Test
  @DisplayName("a heartbeat that arrives after its member left does not register it again")
  void aHeartbeatAfterLeavingDoesNotReRegister() {
    leases("a", 1);
    leases("a", 2);

    List<String> held = leases("a", 0);

    assertThat(held).isEmpty();
    assertThat(members()).isEmpty();
  }

  @Test
  @DisplayName("a heartbeat keeps a registered member alive and renews the leases it holds")
  void aHeartbeatRenewsARegisteredMember() {
    assertThat(leases("a", 1)).hasSize(PARTITIONS);
    PostgresTestServer.execute("UPDATE " + Q + ".group_member SET alive_until = now() - interval '1 minute'");
    PostgresTestServer.execute("UPDATE " + Q + ".group_partition SET lease_until = now() - interval '1 minute'");

    List<String> held = leases("a", 0);

    assertThat(held).hasSize(PARTITIONS);
    assertThat(PostgresTestServer.query("SELECT count(*) FROM " + Q + ".group_member "
        + "WHERE alive_until > clock_timestamp()")).containsExactly("1");
    assertThat(PostgresTestServer.query("SELECT count(*) FROM " + Q + ".group_partition "
        + "WHERE lease_until > clock_timestamp()")).containsExactly(String.valueOf(PARTITIONS));
  }

  private static List<String> leases(String member, int mode) {
    return PostgresTestServer.query("SELECT held_partition FROM " + Q + ".group_leases('g', 'p', $1, 60000, $2)",
        member, mode);
  }

  private static List<String> members() {
    return PostgresTestServer.query("SELECT member_id FROM " + Q + ".group_member");
  }
}
