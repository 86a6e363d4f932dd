/**
 * Spring Boot auto-configuration for Fluxbus: the bus as a bean from {@code fluxbus.*} properties, started
 * before the web server takes traffic and stopped before its graceful shutdown, Micrometer metrics, a health
 * contributor per engine, the {@code fluxbus} Actuator endpoint and {@link io.fluxbus.spring.FluxbusListener}
 * methods. Users touch {@link io.fluxbus.spring.FluxbusListener} and {@link io.fluxbus.spring.FluxbusProperties};
 * everything else is package-private.
 */
package io.fluxbus.spring;
