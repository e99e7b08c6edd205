/**
 * A deterministic simulator for the protocol core: N replicas exchange real, signed messages
 * through a seeded scheduler that reorders, delays, duplicates and drops them, partitions the
 * network, crashes and restarts replicas, and lets Byzantine members attack. It checks safety
 * after every step, convergence at quiescence and liveness after the faults heal.
 */
package io.wallance.sim;
