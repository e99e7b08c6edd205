package io.wallance.store;

import java.util.Objects;

/**
 * One operator purchase of the node, as stored beside the journal (table {@code purchase}). The
 * node runtime writes a record whenever a purchase changes, in the same transaction as the
 * ledger changes of the same call ({@link LedgerStore#append(java.util.List, java.util.List)}),
 * so the queue and the ledger never disagree after a crash: a command counter is never durable
 * without the purchase it queued, a purchase is never {@code published} without its request.
 *
 * @param id the operator-side purchase id (the key; a later record replaces an earlier one)
 * @param position its place in the queue (order of arrival)
 * @param contract the contract
 * @param price its price in DCoin
 * @param state the state's JSON name ({@code waiting}, {@code published}, {@code cancelled},
 *     {@code final}, {@code failed}); the store does not interpret it
 * @param request the request hash once published, else null
 */
public record PurchaseRecord(long id, long position, String contract, long price, String state, String request) {
  /** Checks the required parts. */
  public PurchaseRecord {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(state, "state");
  }
}
