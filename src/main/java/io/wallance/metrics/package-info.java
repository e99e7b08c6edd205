/**
 * Observability of a node and of the web verticle: Micrometer meters exposed in the
 * Prometheus text format ({@code /metrics}), liveness ({@code /health}) and readiness
 * ({@code /readiness}) through Vert.x health checks, and one log line per significant event.
 * The meters are documented in {@code docs/METRICS.md}.
 */
package io.wallance.metrics;
