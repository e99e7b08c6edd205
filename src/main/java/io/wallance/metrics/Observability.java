package io.wallance.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.EnumSet;

/**
 * The one Prometheus meter registry of a process, shared by Vert.x's Micrometer integration
 * (event bus, HTTP, pools), the JVM binders and the {@code wallance_*} meters.
 *
 * <p>Labels stay bounded: the Vert.x meters carry no event-bus address (reply and
 * per-member addresses would grow without end) and no HTTP path; the wallance meters carry
 * the node's registry name and, where documented, a reason, status or contract name, all of
 * which come from closed sets.
 */
public final class Observability {
  /** The name under which Vert.x's {@link BackendRegistries} knows the registry. */
  public static final String REGISTRY_NAME = "wallance";
  /** The Prometheus text format served on {@code /metrics}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static PrometheusMeterRegistry registry;

  private Observability() {
  }

  private static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(REGISTRY_NAME)
        .setJvmMetricsEnabled(false) // bound on our registry in registry(), once
        .setLabels(EnumSet.of(Label.EB_SIDE, Label.EB_FAILURE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.CLIENT_NAME))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
  }

  /**
   * Vert.x options that enable the Micrometer integration on {@link #registry()}: pass them to
   * {@code ClusterFactory.start(options, clusterManager, vertxOptions)}.
   *
   * @return fresh options with metrics enabled
   */
  public static VertxOptions vertxOptions() {
    registry();
    return new VertxOptions().setMetricsOptions(metricsOptions());
  }

  /**
   * @return the process's registry, created (with the JVM binders) on first use; also when
   *     Vert.x metrics are not enabled, so the wallance meters work in any Vert.x
   */
  public static synchronized PrometheusMeterRegistry registry() {
    if (registry == null || registry.isClosed()) {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      BackendRegistries.stop(REGISTRY_NAME); // a closed one left by an earlier Vert.x (tests)
      MeterRegistry installed = BackendRegistries.setupBackend(metricsOptions(), registry).getMeterRegistry();
      if (installed != registry) {
        throw new IllegalStateException("another meter registry is installed as " + REGISTRY_NAME);
      }
      new ClassLoaderMetrics().bindTo(registry);
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
    }
    return registry;
  }

  /** @return a handler that answers with the registry in the Prometheus text format */
  public static Handler<RoutingContext> scrapeHandler() {
    return ctx -> ctx.response().putHeader("content-type", CONTENT_TYPE).end(registry().scrape());
  }
}
