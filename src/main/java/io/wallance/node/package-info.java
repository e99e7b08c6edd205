/**
 * One node of the fleet: the thin verticles around the protocol core, and what they share.
 *
 * <ul>
 *   <li>{@link io.wallance.node.NodeVerticle}: owns the key and the ledger
 *       ({@link io.wallance.ledger.Replica}), moves signed messages between the event bus
 *       and the replica, carries out operator commands, answers queries.</li>
 *   <li>{@link io.wallance.node.SensorVerticle}: reads the sensor and asks the node to share.</li>
 *   <li>{@link io.wallance.node.ContractVerticle}: loads the catalogue and runs the node's own
 *       finalized purchases.</li>
 *   <li>Plain helpers: {@link io.wallance.node.NodeConfig} (the config file),
 *       {@link io.wallance.node.NodeKeys} and {@link io.wallance.node.RegistryFile} (reading
 *       key and registry files), {@link io.wallance.node.PurchaseQueue},
 *       {@link io.wallance.node.TokenBuckets}, {@link io.wallance.node.NodeView},
 *       {@link io.wallance.node.ObserverEvents}, {@link io.wallance.node.NodeDeployment}.</li>
 * </ul>
 * Event-bus addresses come from {@link io.wallance.cluster.Addresses}; the contract is
 * {@code docs/ARCHITECTURE.md}.
 */
package io.wallance.node;
