package io.wallance.node;

import io.vertx.core.Context;
import io.wallance.ledger.LedgerChange;
import io.wallance.store.LedgerStore;
import io.wallance.store.PurchaseRecord;
import io.wallance.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Durable before published" without blocking the event loop ({@code docs/PROTOCOL.md} 9.6).
 * The node hands every call's ledger changes and purchase records to {@link #submit}, with
 * what to do once they are durable (publish the call's messages and events, reply). Writes
 * run one at a time on a worker (ordered {@code executeBlocking} on the node's context); what
 * arrives while one is running is written next as one transaction (group commit: fewer
 * commits on an SD card under load). The follow-ups run on the event loop, in submission
 * order, only after the transaction holding their changes has committed. A call that changed
 * nothing still waits for the writes submitted before it, so nothing overtakes.
 *
 * <p>A failed write (disk full, I/O error) stops the journal: no follow-up runs, so the node
 * publishes nothing that is not durable, and the node reports itself unhealthy and stops
 * feeding its replica. The failed batch (absent from the store: a transaction is stored whole
 * or not at all) and whatever is submitted meanwhile are kept, in order, and the same batch is
 * retried every {@value #RETRY_MILLIS} ms; once it commits (space was freed), its follow-ups
 * run, the rest is written and the node is told it recovered. So what the replica holds in
 * memory is always what is durable plus what waits here. Not thread-safe: used on the node's
 * event loop only.
 */
final class Journal {

  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  /** How often a failed batch is retried. */
  static final long RETRY_MILLIS = 2_000;

  /** {@code ifFailed}: for a read barrier ({@link #afterPending}), what to run instead if the store fails first. */
  private record Item(List<LedgerChange> changes, List<PurchaseRecord> purchases, Runnable then, Runnable ifFailed) {

    Item(List<LedgerChange> changes, List<PurchaseRecord> purchases, Runnable then) {
      this(changes, purchases, then, null);
    }
  }

  private final Context context;
  private final LedgerStore store;
  private final CrashPoint crashAt;
  private final Consumer<StoreException> onFailure;
  private final Runnable onRecovery;
  private List<Item> queued = new ArrayList<>();
  private List<Item> failed = List.of();
  private boolean writing;
  private StoreException failure;
  private boolean closed;
  private long commits;

  /**
   * @param context the node verticle's context (writes are ordered on it, follow-ups run on it)
   * @param store the open ledger store
   * @param crashAt test-only crash point, or null
   * @param onFailure called on the event loop when a write fails (once until it recovers)
   * @param onRecovery called on the event loop when a retried batch committed, before its follow-ups run
   */
  Journal(Context context, LedgerStore store, CrashPoint crashAt, Consumer<StoreException> onFailure,
      Runnable onRecovery) {
    this.context = Objects.requireNonNull(context, "context");
    this.store = Objects.requireNonNull(store, "store");
    this.crashAt = crashAt;
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.onRecovery = Objects.requireNonNull(onRecovery, "onRecovery");
  }

  /**
   * Makes {@code changes} and {@code purchases} durable, then runs {@code then}; runs
   * {@code then} at once when there is nothing to write and nothing written before it is
   * still pending. After a failure it waits with the rest until the failed batch is stored.
   */
  void submit(List<LedgerChange> changes, List<PurchaseRecord> purchases, Runnable then) {
    if (closed) {
      return;
    }
    if (failure != null) {
      queued.add(new Item(changes, purchases, then));
      return;
    }
    if (changes.isEmpty() && purchases.isEmpty() && !writing && queued.isEmpty()) {
      then.run();
      return;
    }
    queued.add(new Item(changes, purchases, then));
    if (!writing) {
      write();
    }
  }

  /**
   * A read barrier: runs {@code then} once every write submitted before it is durable, or
   * {@code ifFailed} (on the event loop, at once) if one of them fails first or the journal has
   * already failed. A reader (a query) is thus answered from durable state or told the store
   * failed; it never waits for space to be freed.
   */
  void afterPending(Runnable then, Runnable ifFailed) {
    Objects.requireNonNull(ifFailed, "ifFailed");
    if (closed) {
      return;
    }
    if (failure != null) {
      ifFailed.run();
    } else if (!writing && queued.isEmpty()) {
      then.run();
    } else {
      queued.add(new Item(List.of(), List.of(), then, ifFailed));
    }
  }

  /** The node is stopping: nothing more is written or published (the store closes after the last write). */
  void close() {
    closed = true;
    queued.clear();
  }

  /** @return the write failure that stopped the journal, or null while healthy */
  StoreException failure() {
    return failure;
  }

  /** @return how many transactions were committed (each may hold several calls' changes) */
  long commits() {
    return commits;
  }

  private void write() {
    List<Item> batch = queued;
    queued = new ArrayList<>();
    write(batch);
  }

  private void write(List<Item> batch) {
    writing = true;
    List<LedgerChange> changes = new ArrayList<>();
    List<PurchaseRecord> purchases = new ArrayList<>();
    for (Item i : batch) {
      changes.addAll(i.changes());
      purchases.addAll(i.purchases());
    }
    context.<Void>executeBlocking(() -> {
      if (changes.stream().anyMatch(c -> c instanceof LedgerChange.Finalized)) {
        CrashPoint.BEFORE_FINAL_COMMIT.haltIf(crashAt);
      }
      store.append(changes, purchases);
      return null;
    }, true).onComplete(ar -> {
      writing = false;
      if (ar.failed()) {
        if (closed) {
          return; // stopping: nothing is retried
        }
        boolean first = failure == null;
        failure = ar.cause() instanceof StoreException e ? e
            : new StoreException(StoreException.Kind.IO, "storing ledger changes: " + ar.cause(), ar.cause());
        if (first) {
          onFailure.accept(failure); // first: the readers dropped next are answered as unhealthy
        }
        failed = withoutReaders(batch);
        queued = withoutReaders(queued);
        context.owner().setTimer(RETRY_MILLIS, id -> retry());
        return;
      }
      commits++;
      if (failure != null) {
        failure = null;
        failed = List.of();
        onRecovery.run();
      }
      for (Item i : batch) {
        if (i.changes().stream().anyMatch(c -> c instanceof LedgerChange.MyVote)) {
          CrashPoint.VOTE_PERSISTED.haltIf(crashAt);
        }
        if (i.changes().stream().anyMatch(c -> c instanceof LedgerChange.MyRequest)) {
          CrashPoint.REQUEST_SENDING.haltIf(crashAt);
        }
        try {
          i.then().run();
        } catch (RuntimeException e) {
          LOG.error("publishing after a commit failed", e); // a bug: the next follow-ups still run
        }
      }
      if (!queued.isEmpty()) {
        write();
      }
    });
  }

  /** Drops the read barriers of {@code items}, running their {@code ifFailed}; keeps the writes in order. */
  private static List<Item> withoutReaders(List<Item> items) {
    List<Item> kept = new ArrayList<>(items.size());
    for (Item i : items) {
      if (i.ifFailed() == null) {
        kept.add(i);
        continue;
      }
      try {
        i.ifFailed().run();
      } catch (RuntimeException e) {
        LOG.error("answering a reader after a failed write failed", e); // a bug: the others still run
      }
    }
    return kept;
  }

  /** Writes the failed batch again (alone: it must commit before anything after it). */
  private void retry() {
    if (closed || failure == null || writing) {
      return;
    }
    write(failed);
  }
}
