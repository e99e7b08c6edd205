package io.wallance.ledger;

import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of a replica that must survive a crash: everything a replica has published or
 * reported final is recorded here first. The simulator keeps this object across a simulated
 * crash and drops everything else; the durable-ledger adapter persists it.
 */
public final class LedgerState {
  /** A finalized purchase with every vote known for it (the quorum certificate and late votes). */
  record Final(Signed<Request> request, TreeMap<String, Signed<Vote>> votes, int index, long prevEpoch,
      String newState) {}

  final TreeMap<Long, Signed<Registry>> registries = new TreeMap<>();
  final TreeMap<String, Wallet> wallets = new TreeMap<>();
  final Map<String, Final> finals = new HashMap<>();
  /** This member's vote per (buyer, previous state): it never signs another one. */
  final Map<String, Signed<Vote>> myVotes = new HashMap<>();
  /** Extra votes signed only under the VOTE_TWICE mutation, by request hash. */
  final Map<String, Signed<Vote>> extraVotes = new HashMap<>();
  /** This member's request per previous state: it never signs another one. */
  final Map<String, Signed<Request>> myRequests = new HashMap<>();
  /** Highest operator-command counter accepted, per operator. */
  final Map<String, Long> commandCounters = new HashMap<>();
  /** Recorded evidence of misbehaviour (bounded). */
  final List<LedgerEvent.Misbehaviour> evidence = new ArrayList<>();
  /** Rewards cited again on a chain where they were already cited (only possible under a mutation). */
  long citedTwice;

  LedgerState() {}
}
