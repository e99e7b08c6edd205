package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.protocol.Frames;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a node publishes in one event-loop turn goes out coalesced, in order; alone, as before. */
class OutboxTest {

  private Vertx vertx;
  private Context context;
  private final List<Object> gossip = new CopyOnWriteArrayList<>();
  private final List<Object> direct = new CopyOnWriteArrayList<>();
  private final List<Object> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().consumer("gossip", m -> gossip.add(m.body())).completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().consumer("to.x", m -> direct.add(m.body())).completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().consumer("events", m -> events.add(m.body())).completion().await(5, TimeUnit.SECONDS);
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code turn} as one task on the context and waits until {@code expected} messages arrived. */
  private Outbox turn(Consumer<Outbox> turn, int expected) throws Exception {
    Outbox[] box = new Outbox[1];
    context.runOnContext(v -> {
      box[0] = new Outbox(context, vertx.eventBus(), "events");
      turn.accept(box[0]);
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gossip.size() + direct.size() + events.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    Thread.sleep(100); // nothing more comes
    assertThat(gossip.size() + direct.size() + events.size()).isEqualTo(expected);
    return box[0];
  }

  private static String message(int n) {
    return "wallance=1\nn=" + n + "\nsig=" + "0".repeat(128) + "\n";
  }

  private static JsonObject event(int n) {
    return new JsonObject().put("type", "vote").put("n", n);
  }

  @Test
  void oneTurnsMessagesGoOutAsOneFramePerAddressAndItsEventsAsOneArray() throws Exception {
    Outbox box = turn(o -> {
      o.message("gossip", message(1));
      o.event(event(1));
      o.message("to.x", message(2));
      o.message("gossip", message(3));
      o.event(event(2));
      o.event(event(3));
    }, 3);
    assertThat(gossip).containsExactly(message(1) + message(3));
    assertThat(direct).containsExactly(message(2));
    assertThat(events).singleElement().isEqualTo(new JsonArray().add(event(1)).add(event(2)).add(event(3)));
    assertThat(box.messages()).isEqualTo(3);
    assertThat(box.frames()).isEqualTo(2);
    assertThat(box.eventMessages()).isEqualTo(1);
  }

  @Test
  void aLoneMessageAndALoneEventGoOutExactlyAsBefore() throws Exception {
    turn(o -> {
      o.message("gossip", message(1));
      o.event(event(1));
    }, 2);
    assertThat(gossip).containsExactly(message(1));
    assertThat(events).containsExactly(event(1));
  }

  @Test
  void fullFramesAndArraysAreSentAndTheRestFollowsInOrder() throws Exception {
    int messages = Frames.MAX_MESSAGES + 3;
    int many = Outbox.MAX_EVENTS + 1;
    turn(o -> {
      for (int i = 0; i < messages; i++) {
        o.message("gossip", message(i));
      }
      for (int i = 0; i < many; i++) {
        o.event(event(i));
      }
    }, 4);
    assertThat(gossip).hasSize(2);
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < messages; i++) {
      all.append(message(i));
    }
    assertThat(gossip.get(0) + (String) gossip.get(1)).isEqualTo(all.toString());
    assertThat(Frames.split(((String) gossip.get(0)).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .hasSize(Frames.MAX_MESSAGES);
    assertThat(events).hasSize(2);
    assertThat(((JsonArray) events.get(0)).size()).isEqualTo(Outbox.MAX_EVENTS);
    assertThat(events.get(1)).isEqualTo(event(Outbox.MAX_EVENTS));
  }

  @Test
  void aFrameNeverExceedsTheFrameSizeCap() throws Exception {
    String big = "wallance=1\nx=" + "a".repeat(30_000) + "\nsig=" + "0".repeat(128) + "\n";
    int n = 2 * (Frames.MAX_BYTES / big.length()) + 1;
    turn(o -> {
      for (int i = 0; i < n; i++) {
        o.message("gossip", big);
      }
    }, 3);
    for (Object frame : gossip) {
      assertThat(((String) frame).length()).isLessThanOrEqualTo(Frames.MAX_BYTES);
    }
    assertThat(gossip.stream().mapToInt(f -> ((String) f).length()).sum()).isEqualTo(n * big.length());
  }
}
