package io.wallance.sim;

import io.wallance.protocol.Body;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * The Byzantine members' attacks. A Byzantine member runs an ordinary replica that votes for
 * anything at the head (so it equivocates), and on top of it, at random steps, forges,
 * impersonates, double-spends (also across a registry epoch change), cites a reward twice,
 * lies about its balance, signs two readings with one share number and replays old messages.
 */
final class Adversary {
  private static final int MEMORY = 64;
  private final World world;
  private final Random rnd;
  private final Deque<Signed<? extends Body>> recent = new ArrayDeque<>();

  Adversary(World world) {
    this.world = world;
    this.rnd = world.rnd;
  }

  /** Remembers honest traffic to replay or forge from. */
  void observe(Signed<? extends Body> m) {
    Body b = m.body();
    if (b instanceof Request || b instanceof Vote || b instanceof Share) {
      if (recent.size() == MEMORY) {
        recent.removeFirst();
      }
      recent.addLast(m);
    }
  }

  void maybeAttack(World.Node byz) {
    if (rnd.nextInt(100) >= 8) {
      return;
    }
    switch (rnd.nextInt(9)) {
      case 0 -> forgeSignature(byz);
      case 1 -> impersonateShare(byz);
      case 2 -> forgeVote(byz);
      case 3 -> equivocateShare(byz);
      case 4, 5 -> doubleSpend(byz);
      case 6 -> citeRewardTwice(byz);
      case 7 -> lieAboutBalance(byz);
      default -> replay(byz);
    }
  }

  private Signed<? extends Body> remembered() {
    if (recent.isEmpty()) {
      return null;
    }
    return new ArrayList<>(recent).get(rnd.nextInt(recent.size()));
  }

  private void forgeSignature(World.Node byz) {
    Signed<? extends Body> m = remembered();
    if (m == null) {
      return;
    }
    byte[] sig = m.signature().clone();
    sig[rnd.nextInt(sig.length)] ^= (byte) (1 << rnd.nextInt(8));
    world.count(Fault.FORGED_SIGNATURE);
    world.log(world.name(byz.key.id()) + " forges the signature of " + m);
    world.route(byz.index, null, Signed.of(m.body(), sig));
  }

  private World.Node honestVictim() {
    List<World.Node> honest = world.honest();
    return honest.isEmpty() ? null : honest.get(rnd.nextInt(honest.size()));
  }

  /** Signs a body that names someone else as author with the attacker's own key. */
  private <B extends Body> Signed<B> signedAs(World.Node byz, B body) {
    return Signed.of(body, byz.key.sign(body.canonical()));
  }

  private void impersonateShare(World.Node byz) {
    World.Node victim = honestVictim();
    if (victim == null) {
      return;
    }
    long seq = world.sharesSigned[victim.index] + 1 + rnd.nextInt(3);
    Share s = Pow.mine(new Share(World.NET, victim.key.id(), seq, "virtual", 99_000, 0), 1);
    world.count(Fault.IMPERSONATED_SHARE);
    world.log(world.name(byz.key.id()) + " shares in the name of " + world.name(victim.key.id()) + " seq " + seq);
    world.route(byz.index, null, signedAs(byz, s));
  }

  private void forgeVote(World.Node byz) {
    World.Node victim = honestVictim();
    Signed<? extends Body> m = remembered();
    if (victim == null || m == null || !(m.body() instanceof Request r) || r.buyer().equals(victim.key.id())) {
      return;
    }
    Vote v = Pow.mine(new Vote(World.NET, victim.key.id(), r.buyer(), r.epoch(), r.prev(), m.hash(), 0), 1);
    world.count(Fault.FORGED_VOTE);
    world.log(world.name(byz.key.id()) + " votes in the name of " + world.name(victim.key.id()));
    world.route(byz.index, null, signedAs(byz, v));
  }

  private void equivocateShare(World.Node byz) {
    long seq = byz.replica.shares(byz.key.id()) + 1;
    Signed<Share> a = Signed.sign(Pow.mine(new Share(World.NET, byz.key.id(), seq, "virtual", 1_000, 0), 1), byz.key);
    Signed<Share> b = Signed.sign(Pow.mine(new Share(World.NET, byz.key.id(), seq, "virtual", 2_000, 0), 1), byz.key);
    world.count(Fault.EQUIVOCATING_SHARE);
    world.log(world.name(byz.key.id()) + " signs two readings as share " + seq);
    List<World.Node> honest = world.honest();
    for (int i = 0; i < honest.size(); i++) {
      world.send(byz.index, honest.get(i).index, i % 2 == 0 ? a : b);
    }
  }

  private Request affordable(World.Node byz, String contract) {
    Request d = byz.replica.draft(contract);
    return d != null && d.balance() >= d.price() * byz.replica.registry().dcoinRate() ? d : null;
  }

  /** Two requests on one previous state, each shown to a different part of the honest fleet. */
  private void doubleSpend(World.Node byz) {
    List<String> contracts = new ArrayList<>(byz.replica.registry().contracts().keySet());
    Collections.shuffle(contracts, rnd);
    Request r1 = affordable(byz, contracts.get(0));
    Request r2 = affordable(byz, contracts.get(1));
    if (r1 == null || r2 == null) {
      return;
    }
    List<World.Node> honest = world.honest();
    Collections.shuffle(honest, rnd);
    List<World.Node> first = new ArrayList<>();
    List<World.Node> second = new ArrayList<>();
    boolean acrossEpochs = world.growth && world.epoch2 != null && r1.epoch() == 2 && rnd.nextBoolean();
    if (acrossEpochs) {
      // Old-epoch members just short of the old quorum see r1 (cited at epoch 1); everyone
      // else sees r2 (cited at epoch 2): only the joint quorum rule stops both finalizing.
      r1 = new Request(r1.net(), r1.buyer(), 1, r1.prev(), r1.shares(), r1.rewards(), r1.balance(), r1.contract(),
          world.genesis.body().price(r1.contract()), 0);
      int wanted = Registry.safeQuorum(world.initialMembers) - 1;
      for (World.Node h : honest) {
        (h.index < world.initialMembers && first.size() < wanted ? first : second).add(h);
      }
      world.count(Fault.EPOCH_DOUBLE_SPEND);
    } else {
      for (int i = 0; i < honest.size(); i++) {
        (i < honest.size() / 2 ? first : second).add(honest.get(i));
      }
      world.count(Fault.DOUBLE_SPEND);
    }
    Signed<Request> s1 = Signed.sign(Pow.mine(r1, 1), byz.key);
    Signed<Request> s2 = Signed.sign(Pow.mine(r2, 1), byz.key);
    world.log(world.name(byz.key.id()) + " double-spends " + s1 + " / " + s2 + (acrossEpochs ? " across epochs" : ""));
    first.forEach(h -> world.send(byz.index, h.index, s1));
    second.forEach(h -> world.send(byz.index, h.index, s2));
    for (World.Node other : world.nodes) {
      if (other.byzantine && other != byz && other.up()) {
        world.send(byz.index, other.index, s1);
        world.send(byz.index, other.index, s2);
      }
    }
  }

  private void citeRewardTwice(World.Node byz) {
    List<String> cited = byz.replica.cited(byz.key.id());
    List<String> contracts = new ArrayList<>(byz.replica.registry().contracts().keySet());
    Request d = byz.replica.draft(contracts.get(rnd.nextInt(contracts.size())));
    if (cited.isEmpty() || d == null || d.rewards().size() >= Request.MAX_REWARDS) {
      return;
    }
    String again = cited.get(rnd.nextInt(cited.size()));
    if (d.rewards().contains(again)) {
      return;
    }
    List<String> rewards = new ArrayList<>(d.rewards());
    rewards.add(again);
    rewards.sort(null);
    long balance = d.balance() + byz.replica.registry().reward();
    if (balance < d.price() * byz.replica.registry().dcoinRate()) {
      return;
    }
    Request r = new Request(d.net(), d.buyer(), d.epoch(), d.prev(), d.shares(), rewards, balance, d.contract(),
        d.price(), 0);
    world.count(Fault.REWARD_CITED_TWICE);
    world.log(world.name(byz.key.id()) + " cites reward " + again.substring(0, 12) + " a second time");
    world.route(byz.index, null, Signed.sign(Pow.mine(r, 1), byz.key));
  }

  private void lieAboutBalance(World.Node byz) {
    List<String> contracts = new ArrayList<>(byz.replica.registry().contracts().keySet());
    Request d = byz.replica.draft(contracts.get(rnd.nextInt(contracts.size())));
    if (d == null) {
      return;
    }
    Request r = new Request(d.net(), d.buyer(), d.epoch(), d.prev(), d.shares(), d.rewards(), d.balance() + 10,
        d.contract(), d.price(), 0);
    world.count(Fault.BALANCE_LIE);
    world.log(world.name(byz.key.id()) + " claims 10 units it does not have");
    world.route(byz.index, null, Signed.sign(Pow.mine(r, 1), byz.key));
  }

  private void replay(World.Node byz) {
    Signed<? extends Body> m = remembered();
    if (m == null) {
      return;
    }
    world.count(Fault.REPLAY);
    world.log(world.name(byz.key.id()) + " replays " + m);
    world.route(byz.index, null, m);
  }
}
