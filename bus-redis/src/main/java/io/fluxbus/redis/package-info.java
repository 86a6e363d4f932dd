/**
 * The {@code redis} engine on Lettuce. {@link io.fluxbus.redis.RedisEventBus} in pub/sub mode carries events between
 * processes at most once, as CloudEvents JSON, and fans them out locally through the in-process delivery core.
 * Everything else in this package is package-private.
 */
package io.fluxbus.redis;
