package io.wallance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bundled {@code logback-json.xml} writes one JSON object per line with the event's key-value pairs. */
class JsonLogConfigTest {

  @Test
  @SuppressWarnings("unchecked")
  void eventLinesBecomeJsonWithTheirFields() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter()); // what the default context gets at start-up
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(JsonLogConfigTest.class.getClassLoader().getResource("logback-json.xml"));
      OutputStreamAppender<ILoggingEvent> appender =
          (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("JSON");
      assertThat(appender).as("the JSON appender").isNotNull();
      appender.setOutputStream(captured);
      context.getLogger("io.wallance.events").atInfo().addKeyValue("event", "rejected")
          .addKeyValue("reason", "BAD_SIGNATURE").log("node {} rejected a share", "pi1");
    } finally {
      context.stop();
    }
    String line = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).findFirst()
        .orElseThrow(() -> new AssertionError("no JSON line in: " + captured));
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("message")).isEqualTo("node pi1 rejected a share");
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("logger_name")).isEqualTo("io.wallance.events");
    assertThat(json.getString("event")).isEqualTo("rejected");
    assertThat(json.getString("reason")).isEqualTo("BAD_SIGNATURE");
  }
}
