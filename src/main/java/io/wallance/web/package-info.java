/**
 * The operator's side: the {@link io.wallance.web.WebVerticle} that joins the cluster as a
 * non-voting observer (a Hazelcast lite member), keeps a bounded recent view of the fleet
 * from the observer events and the nodes' query replies, and serves the operator HTTP API of
 * {@code docs/API.md}; its config ({@link io.wallance.web.WebConfig}), the hashed operator
 * password ({@link io.wallance.web.PasswordHash}) and the durable per-node command counters
 * ({@link io.wallance.web.CommandCounters}).
 *
 * <p>The web verticle never signs for a node: it signs operator commands, and the node signs
 * its own request. Everything it receives from the network is treated as data: served as
 * JSON, capped in length, never passed to a shell, SQL or HTML.
 */
package io.wallance.web;
