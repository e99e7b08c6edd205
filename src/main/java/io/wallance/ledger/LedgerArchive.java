package io.wallance.ledger;

import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.util.List;

/**
 * Read access to the durable journal for what a replica no longer keeps in memory
 * ({@link MemoryCaps}): old shares, old certificates, old chain entries and states, spent
 * rewards. The node
 * answers from its SQLite store ({@code io.wallance.store.StoreArchive}), the simulator from
 * the journal it persisted ({@link JournalArchive}).
 *
 * <p>An archive may lag the replica by the changes not yet made durable; a replica only asks it
 * about items it evicted long before, and a miss only costs liveness (a pull unanswered, a late
 * vote dropped until the reward digests make a peer send it again), never safety: a replica
 * never signs, counts or finalizes on an archive's answer alone. Spent rewards are the
 * exception that proves it: a replica evicts one only once it is durable
 * ({@link LedgerState#durable}), so the archive holds every reward it asks about, and an unread
 * archive ({@link #UNKNOWN}) counts as "spent". Implementations must be
 * callable from the replica's thread and must not throw; on an I/O failure they answer as if
 * the item were absent.
 */
public interface LedgerArchive {
  /** {@link #rewardPosition}: no such reward is stored. */
  long ABSENT = -1;
  /** {@link #rewardPosition}: the archive could not be read. */
  long UNKNOWN = -2;

  /** An archive that holds nothing: for replicas that evict nothing ({@link MemoryCaps#UNBOUNDED}). */
  LedgerArchive NONE = new LedgerArchive() {
    @Override
    public List<Signed<Share>> shares(String author, long from, long to) {
      return List.of();
    }

    @Override
    public Certificate certificate(String request) {
      return null;
    }

    @Override
    public String chainEntry(String buyer, long index) {
      return null;
    }

    @Override
    public boolean isState(String wallet, String state) {
      return false;
    }

    @Override
    public long rewardPosition(String voter, String purchase) {
      return ABSENT;
    }

    @Override
    public List<String> rewards(String voter, long from, long to) {
      return List.of();
    }
  };

  /** The stored shares of {@code author} with {@code from <= seq <= to}, ascending. */
  List<Signed<Share>> shares(String author, long from, long to);

  /** The finalized request with this hash and every vote stored for it, or null. */
  Certificate certificate(String request);

  /** The hash of the request at {@code index} (0 = first) of {@code buyer}'s chain, or null. */
  String chainEntry(String buyer, long index);

  /** True when {@code state} is a state {@code wallet}'s chain produced (genesis excluded). */
  boolean isState(String wallet, String state);

  /**
   * The journal position of the reward granted to {@code voter} on {@code purchase} (positions
   * ascend in journal order), {@link #ABSENT}, or {@link #UNKNOWN} when the archive cannot be read.
   */
  long rewardPosition(String voter, String purchase);

  /**
   * The purchases on which {@code voter} was granted a reward whose bucket key
   * ({@link io.wallance.protocol.Sums#key}) is in {@code [from, to]}, ascending.
   */
  List<String> rewards(String voter, long from, long to);
}
