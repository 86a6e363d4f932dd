/**
 * The {@code redis} engine on Lettuce. {@link io.fluxbus.redis.RedisEventBus} carries events between processes as
 * CloudEvents JSON, in pub/sub mode (at most once, nothing stored) or streams mode (a partitioned log with durable
 * consumer groups, replay, delayed delivery and retention; a {@link io.fluxbus.DurableEventBus}), and fans them out
 * locally through the in-process delivery core. {@link io.fluxbus.redis.RedisEngineProvider} makes buses of type
 * {@code redis} from configuration. Everything else in this package is package-private.
 */
package io.fluxbus.redis;
