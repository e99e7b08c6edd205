package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.Replica;
import io.wallance.ledger.ReplicaOptions;
import io.wallance.ledger.Rules;
import io.wallance.ledger.SignatureCheck;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's {@code inSync} rule over real replicas and statuses (4 members, f = 1). */
class SyncWatchTest {

  private final TestFleet fleet = new TestFleet(4);
  private final Crypto.KeyPair me = fleet.members.get(0);
  private final Replica replica;
  private final SyncWatch watch = new SyncWatch(me.id());

  SyncWatchTest() throws Exception {
    replica = Replica.create(me, fleet.genesis, Rules.none(), new SignatureCheck(64), ReplicaOptions.defaults());
  }

  private Status status(int peer, long shares) {
    return new Status(TestFleet.NET, fleet.members.get(peer).id(), 1,
        List.of(new Status.Entry(fleet.members.get(peer).id(), shares, 0, "", 0, "")));
  }

  @Test
  void notInSyncUntilFPlusOnePeersReported() {
    assertThat(watch.inSync(replica, 0)).isFalse();
    watch.onStatus(status(1, 0), 0);
    assertThat(watch.inSync(replica, 0)).as("1 of the 2 peers needed").isFalse();
    watch.onStatus(status(2, 0), 0);
    assertThat(watch.inSync(replica, 0)).isTrue();
    assertThat(watch.inSync(replica, SyncWatch.WINDOW_MILLIS + 1)).as("their statuses went stale").isFalse();
  }

  @Test
  void aNodeThatStartsBehindIsNotInSyncFromThePeersFirstStatuses() {
    // Each peer heard from once, both showing shares this node does not hold: not in sync.
    watch.onStatus(status(1, 7), 0);
    watch.onStatus(status(2, 7), 0);
    assertThat(watch.inSync(replica, 0)).isFalse();
    // One peer ahead is within f: in sync.
    watch.onStatus(status(2, 0), 1);
    watch.onStatus(status(2, 0), 2);
    assertThat(watch.inSync(replica, 2)).isTrue();
  }

  @Test
  void aDifferenceThatDidNotPersistForARoundDoesNotCount() {
    watch.onStatus(status(1, 0), 0);
    watch.onStatus(status(2, 0), 0);
    // Both now report a share in flight; their previous statuses showed nothing more.
    watch.onStatus(status(1, 1), 1);
    watch.onStatus(status(2, 1), 1);
    assertThat(watch.inSync(replica, 1)).isTrue();
    // Still more a round later: this node lacks it.
    watch.onStatus(status(1, 1), 2);
    watch.onStatus(status(2, 1), 2);
    assertThat(watch.inSync(replica, 2)).isFalse();
  }
}
