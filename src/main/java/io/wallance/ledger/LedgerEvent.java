package io.wallance.ledger;

import io.wallance.protocol.Command;
import io.wallance.protocol.Reason;
import java.util.List;

/** Something an observer of a replica should see: the replica's only way to speak besides messages. */
public sealed interface LedgerEvent {
  /** A valid request was accepted for consideration. */
  record RequestSeen(String hash, String buyer, String contract, long price, String prev) implements LedgerEvent {}

  /** A valid vote was counted. */
  record VoteSeen(String request, String voter) implements LedgerEvent {}

  /** This replica signed and sent its own vote. */
  record Voted(String request, String buyer) implements LedgerEvent {}

  /**
   * A purchase is final on this replica.
   *
   * @param hash the request hash
   * @param buyer the buyer
   * @param contract the contract bought
   * @param price price in DCoin
   * @param balanceBefore the buyer's balance at the cited position, in units
   * @param balanceAfter the balance of the new state, in units
   * @param oldState the state the buyer left
   * @param newState the buyer's new state
   * @param voters the members whose votes formed the quorum here (the buyer excluded)
   * @param counted the registry epochs the quorum was counted in (the previous state's epoch,
   *     then the request's when it differs; PROTOCOL.md 7.5): the same on every replica
   */
  record Finalized(String hash, String buyer, String contract, long price, long balanceBefore, long balanceAfter,
      String oldState, String newState, List<String> voters, List<Counted> counted) implements LedgerEvent {
    /** Copies {@code counted}. */
    public Finalized {
      voters = List.copyOf(voters);
      counted = List.copyOf(counted);
    }
  }

  /**
   * One registry epoch a finality was counted in.
   *
   * @param epoch the epoch
   * @param registry the hash of its signed registry (names the member set)
   * @param members how many voting members it has
   * @param quorum the votes it required (buyer included)
   */
  record Counted(long epoch, String registry, int members, int quorum) {}

  /** A message was refused; {@code author} is the claimed author (may be forged). */
  record Rejected(Reason reason, String type, String author, String detail) implements LedgerEvent {}

  /** Signed proof that a member broke a rule; it is recorded, never used to take coins back. */
  record Misbehaviour(Kind kind, String offender, List<String> evidence) implements LedgerEvent {
    /** The kinds of provable misbehaviour. */
    public enum Kind {
      /** Two votes for different requests on one (buyer, previous state). */
      EQUIVOCATING_VOTE,
      /** Two requests by one buyer on one previous state. */
      DOUBLE_REQUEST,
      /** Two different readings signed with one share sequence number. */
      EQUIVOCATING_SHARE,
      /** A signed request that breaks a ledger rule (balance, reward or epoch). */
      INVALID_REQUEST,
      /** Two different registries signed for one epoch. */
      CONFLICTING_REGISTRY
    }
  }

  /** A newer registry epoch was adopted. */
  record RegistryAdopted(long epoch) implements LedgerEvent {}

  /** A valid operator command addressed to this replica; the node carries it out. */
  record CommandAccepted(Command command) implements LedgerEvent {}
}
