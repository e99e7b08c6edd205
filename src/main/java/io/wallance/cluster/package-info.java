/**
 * Joining the Vert.x cluster: the Hazelcast cluster manager configured for a LAN of Pis or
 * for loopback, and the clustered {@link io.vertx.core.Vertx} built on it.
 *
 * <p>Hazelcast is transport and membership only. Nothing of the ledger is stored in its
 * maps (they can lose updates under a partition), and cluster membership never decides a
 * quorum: that is counted against the signed member registry. Open-source Hazelcast does not
 * authenticate members, so every message is signed and verified by its consumer; here we
 * only keep the cluster small and explicit (no multicast, no discovery, listed members,
 * bound interface).
 */
package io.wallance.cluster;
