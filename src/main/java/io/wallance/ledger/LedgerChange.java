package io.wallance.ledger;

import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One mutation of the durable {@link LedgerState}, as an immutable record: the change journal.
 *
 * <p>{@link Replica} makes every change to its {@code LedgerState} by building one of these
 * and applying it ({@link LedgerState#apply}); the same function rebuilds a state from a
 * journal ({@link LedgerState#replay}), so a replayed state equals the live one by
 * construction. {@link Replica#drainChanges()} hands the changes made since the last drain to
 * the runtime, which must make them durable, in order and in one transaction, before it
 * publishes the returned {@link Effects} or shows anything as final ("durable before
 * published", {@code docs/PROTOCOL.md} section 9.6).
 *
 * <p>Changes that carry signed messages carry them whole, so a stored journal verifies
 * itself; everything else is plain numbers and hashes. Derived fields (contiguous shares,
 * the states map, cited rewards, the reward XOR, {@code citedTwice}) are recomputed on apply,
 * never stored.
 */
public sealed interface LedgerChange {
  /** A registry epoch was adopted (the genesis registry is the first change of every journal). */
  record RegistryAdopted(Signed<Registry> registry) implements LedgerChange {
    public RegistryAdopted {
      Objects.requireNonNull(registry);
    }
  }

  /** A share not held before was stored (contiguous shares are recomputed). */
  record ShareStored(Signed<Share> share) implements LedgerChange {
    public ShareStored {
      Objects.requireNonNull(share);
    }
  }

  /**
   * A request became final: the buyer's head moves to {@code newState}.
   *
   * @param request the finalized request
   * @param votes the votes held at finality (voter → vote), the quorum certificate
   * @param index the request's index in the buyer's chain (0 = first purchase)
   * @param prevEpoch the epoch of the state the buyer left
   * @param newState the new head state hash
   * @param headShares the new head's share position
   * @param headBalance the new head's balance, in units
   */
  record Finalized(Signed<Request> request, Map<String, Signed<Vote>> votes, int index, long prevEpoch,
      String newState, long headShares, long headBalance) implements LedgerChange {
    public Finalized {
      Objects.requireNonNull(request);
      Objects.requireNonNull(newState);
      votes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(votes));
    }

    /** The new head's epoch: the request's epoch. */
    public long headEpoch() {
      return request.body().epoch();
    }
  }

  /** A vote for an already finalized request was added to its certificate. */
  record VoteStored(Signed<Vote> vote) implements LedgerChange {
    public VoteStored {
      Objects.requireNonNull(vote);
    }

    /** The finalized request the vote approves. */
    public String request() {
      return vote.body().request();
    }
  }

  /** {@code voter}'s vote on the finalized {@code purchase} earned it a reward. */
  record RewardGranted(String voter, String purchase) implements LedgerChange {
    public RewardGranted {
      Objects.requireNonNull(voter);
      Objects.requireNonNull(purchase);
    }
  }

  /** This member signed its one vote for the slot (buyer, previous state) of {@code vote}. */
  record MyVote(Signed<Vote> vote) implements LedgerChange {
    public MyVote {
      Objects.requireNonNull(vote);
    }

    /** The slot: buyer id followed by the previous state. */
    public String slot() {
      return vote.body().buyer() + vote.body().prev();
    }
  }

  /** A second vote on a slot, signed only under a test mutation (VOTE_TWICE, VOTE_BLINDLY). */
  record ExtraVote(Signed<Vote> vote) implements LedgerChange {
    public ExtraVote {
      Objects.requireNonNull(vote);
    }
  }

  /** This member signed its one request on its state {@code request.prev}. */
  record MyRequest(Signed<Request> request) implements LedgerChange {
    public MyRequest {
      Objects.requireNonNull(request);
    }

    /** The state the request spends from. */
    public String prev() {
      return request.body().prev();
    }
  }

  /** The highest accepted command counter of {@code operator} is now {@code counter}. */
  record CommandCounter(String operator, long counter) implements LedgerChange {
    public CommandCounter {
      Objects.requireNonNull(operator);
    }
  }

  /** Evidence of misbehaviour was recorded. */
  record Evidence(LedgerEvent.Misbehaviour misbehaviour) implements LedgerChange {
    public Evidence {
      Objects.requireNonNull(misbehaviour);
      misbehaviour = new LedgerEvent.Misbehaviour(misbehaviour.kind(), misbehaviour.offender(),
          List.copyOf(misbehaviour.evidence()));
    }
  }
}
