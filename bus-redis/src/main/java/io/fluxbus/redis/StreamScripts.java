package io.fluxbus.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Lua scripts of streams mode: each does in one atomic step what must not be seen half done. Every key a script
 * touches is passed in {@code KEYS} and shares the namespace's hash tag, so the scripts run on Redis Cluster too.
 * Run by digest ({@code EVALSHA}), falling back to {@code EVAL} when the server does not have the script (after a
 * restart, or the first time).
 */
enum StreamScripts {

  /**
   * Acknowledges an entry, only if it is pending for this consumer: a member whose lease ran out (a paused process)
   * and whose entries another member claimed must not acknowledge what that member now handles. KEYS: the stream.
   * ARGV: group, consumer, entry id. Returns 1 when it acknowledged, 0 when the entry was no longer pending, -1 when
   * another consumer holds it.
   */
  ACK("""
      local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
      if #pending == 0 then return 0 end
      if pending[1][2] ~= ARGV[2] then return -1 end
      return redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
      """),

  /**
   * Acknowledges a failed entry and appends its dead letter, only if the entry was still pending for this consumer
   * (so a letter is never written twice for one failure, nor by a member that lost the entry to another). KEYS: the
   * entry's stream, the letter's stream. ARGV: group, entry id, letter JSON, letter topic, max length of the letter's
   * stream ('' for none), consumer. Returns 1 when it acknowledged, 0 when the entry was no longer pending, -1 when
   * another consumer holds it.
   */
  DEAD_LETTER("""
      local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
      if #pending == 0 then return 0 end
      if pending[1][2] ~= ARGV[6] then return -1 end
      local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      if acked == 1 then
        if ARGV[5] ~= '' then
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[3], 't', ARGV[4], 'o', '')
        else
          redis.call('XADD', KEYS[2], '*', 'e', ARGV[3], 't', ARGV[4], 'o', '')
        end
      end
      return acked
      """),

  /**
   * A group member's heartbeat and its share of the partitions. KEYS: the group's members set, then the lease of
   * every partition. ARGV: member, lease time in ms, '1' to rebalance (join, release leases beyond the fair share and
   * take free ones up to it; only between reads, with nothing in hand) or '0' to only renew (never re-joining: a
   * renewal that lands after the member left must not bring it back). The fair share is
   * ceil(partitions / live members). Returns the partitions the member holds.
   */
  LEASES("""
      if redis.replicate_commands then redis.replicate_commands() end
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local ttl = tonumber(ARGV[2])
      if ARGV[3] == '1' then
        redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
      else
        redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
      end
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      redis.call('PEXPIRE', KEYS[1], ttl * 10)
      local share = math.ceil((#KEYS - 1) / redis.call('ZCARD', KEYS[1]))
      local held = {}
      for i = 2, #KEYS do
        if redis.call('GET', KEYS[i]) == ARGV[1] then
          if ARGV[3] == '0' or #held < share then
            redis.call('PEXPIRE', KEYS[i], ttl)
            held[#held + 1] = i - 2
          else
            redis.call('DEL', KEYS[i])
          end
        end
      end
      if ARGV[3] == '1' then
        for i = 2, #KEYS do
          if #held >= share then break end
          if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ttl) then held[#held + 1] = i - 2 end
        end
      end
      return held
      """),

  /**
   * A member leaves: releases its leases and its membership. KEYS as {@link #LEASES}; ARGV: member. The consumer
   * itself stays in the Redis groups until {@link #FORGET_IDLE_CONSUMERS} removes it, once it has nothing pending.
   */
  LEAVE("""
      redis.call('ZREM', KEYS[1], ARGV[1])
      for i = 2, #KEYS do
        if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
      end
      return 1
      """),

  /**
   * Removes from a partition's Redis group the consumers that have nothing pending and have been idle longer than a
   * limit (members of buses long gone), so that they do not pile up. Never one with pending entries: deleting it
   * would make them unclaimable. KEYS: the partition's stream. ARGV: group, the caller's own consumer, idle limit
   * in ms. Returns how many it removed.
   */
  FORGET_IDLE_CONSUMERS("""
      local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
      if not ok then return 0 end
      local removed = 0
      for _, consumer in ipairs(consumers) do
        local fields = {}
        for i = 1, #consumer, 2 do fields[consumer[i]] = consumer[i + 1] end
        if fields['name'] ~= ARGV[2] and tonumber(fields['pending']) == 0
            and tonumber(fields['idle']) > tonumber(ARGV[3]) then
          redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
          removed = removed + 1
        end
      end
      return removed
      """),

  /**
   * Stores a delayed event. KEYS: the delayed set, the delayed events hash. ARGV: event id, due time in ms,
   * partition, topic, CloudEvents JSON.
   */
  SCHEDULE("""
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[5])
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
      return 1
      """),

  /**
   * Appends the delayed events that are due, oldest first, and forgets them; idempotent, so every bus may run it.
   * KEYS: the delayed set, the delayed events hash, then every partition's stream. ARGV: how many at most, max
   * length of the streams ('' for none). Returns how many it appended.
   */
  PROMOTE("""
      if redis.replicate_commands then redis.replicate_commands() end
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
      local appended = 0
      for _, id in ipairs(due) do
        local entry = redis.call('HGET', KEYS[2], id)
        if entry then
          local first = string.find(entry, '\\n', 1, true)
          local second = string.find(entry, '\\n', first + 1, true)
          local stream = KEYS[3 + tonumber(string.sub(entry, 1, first - 1))]
          local topic = string.sub(entry, first + 1, second - 1)
          local json = string.sub(entry, second + 1)
          if ARGV[2] ~= '' then
            redis.call('XADD', stream, 'MAXLEN', '~', ARGV[2], '*', 'e', json, 't', topic, 'o', '')
          else
            redis.call('XADD', stream, '*', 'e', json, 't', topic, 'o', '')
          end
          redis.call('HDEL', KEYS[2], id)
          appended = appended + 1
        end
        redis.call('ZREM', KEYS[1], id)
      end
      return appended
      """);

  private final String source;
  private final String digest;

  StreamScripts(String source) {
    this.source = source;
    this.digest = sha1(source);
  }

  /** Runs a script that returns an integer. */
  Mono<Long> integer(RedisReactiveCommands<String, byte[]> commands, List<String> keys, String... args) {
    return this.<Long>run(commands, ScriptOutputType.INTEGER, keys, args).next();
  }

  /** Runs a script that returns a list of integers. */
  Mono<List<Long>> integers(RedisReactiveCommands<String, byte[]> commands, List<String> keys, String... args) {
    return this.<Object>run(commands, ScriptOutputType.MULTI, keys, args)
        // Lettuce emits a multi-bulk reply either as one list or element by element
        .flatMapIterable(item -> item instanceof List<?> list ? list : List.of(item))
        .map(item -> ((Number) item).longValue())
        .collectList();
  }

  private <T> Flux<T> run(RedisReactiveCommands<String, byte[]> commands, ScriptOutputType type,
                          List<String> keys, String... args) {
    String[] keyArray = keys.toArray(String[]::new);
    byte[][] values = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      values[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    Flux<T> byDigest = commands.evalsha(digest, type, keyArray, values);
    return byDigest.onErrorResume(error -> String.valueOf(error.getMessage()).startsWith("NOSCRIPT"),
        error -> commands.<T>eval(source, type, keyArray, values));
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
