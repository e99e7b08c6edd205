/**
 * The ledger state machine of one member ({@link io.wallance.ledger.Replica}): shares,
 * requests, votes, quorum certificates, finality, rewards, expiry, the ledger digest and the
 * catch-up logic. A pure, deterministic function of the messages and times it is handed; it
 * returns the messages to send and the events to show, and performs no I/O.
 */
package io.wallance.ledger;
