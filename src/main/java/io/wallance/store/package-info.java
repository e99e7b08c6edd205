/**
 * The durable-ledger adapter: the replica's change journal ({@link io.wallance.ledger.LedgerChange})
 * and the contract-run log, in one SQLite file in the node's data directory.
 * {@link io.wallance.store.LedgerStore} is the entry point.
 */
package io.wallance.store;
