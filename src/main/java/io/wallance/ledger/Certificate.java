package io.wallance.ledger;

import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A finalized request as the durable journal holds it: the request, every vote stored for it
 * (the quorum certificate and the late votes), its chain index, the epoch of the state it
 * left and the state it produced.
 */
public record Certificate(Signed<Request> request, SortedMap<String, Signed<Vote>> votes, int index, long prevEpoch,
    String newState) {
  public Certificate {
    Objects.requireNonNull(request);
    Objects.requireNonNull(newState);
    votes = Collections.unmodifiableSortedMap(new TreeMap<>(votes));
  }
}
