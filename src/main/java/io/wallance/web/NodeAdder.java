package io.wallance.web;

import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;

/**
 * Adds a member to a running local network: what {@code demo} plugs into its dashboard to
 * serve {@code POST /api/demo/nodes} ({@link DemoNodes}). Only the demo has one: on a real
 * fleet a new Pi is installed by Ansible and its epoch signed with {@code registry --previous}.
 */
@FunctionalInterface
public interface NodeAdder {

  /**
   * Creates a member (key, next registry epoch signed by the operator, config) and starts its
   * node. Runs on a worker thread, one call at a time.
   *
   * @return what was added
   * @throws IllegalStateException when no more members can be added (a one-line reason)
   * @throws Exception when creating or starting it failed
   */
  Added add() throws Exception;

  /**
   * A member that was added.
   *
   * @param name its registry name
   * @param id its member id (public key hex)
   * @param registry the signed epoch that lists it (the dashboard adopts and publishes it)
   * @param log the node's log file
   */
  record Added(String name, String id, Signed<Registry> registry, String log) {}
}
