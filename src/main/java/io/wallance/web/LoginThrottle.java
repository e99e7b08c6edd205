package io.wallance.web;

import io.wallance.util.BoundedMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Brute-force throttling of operator password checks (the login form and HTTP Basic), per
 * source address and per user. A scope (an address, or the user) may fail
 * {@code failures} times within {@code windowMillis}; the next failure locks it for
 * {@code firstLockMillis}, and every failure after a lock (before the window has passed
 * without one) locks it again for twice as long, up to {@code maxLockMillis}. While a scope is
 * locked every attempt in it is refused before the password is looked at (the caller answers
 * 429 with {@code Retry-After}); a success clears the address's record.
 *
 * <p>Memory is bounded: at most {@code maxAddresses} address records are kept (the least
 * recently used goes first, and records whose window and lock have passed are dropped), and the
 * user scope is the single operator. An attacker spread over many addresses still meets the
 * per-user limit. Not thread-safe: used on the web verticle's event loop.
 */
final class LoginThrottle {
  /** The limits of one scope. */
  record Limits(int failures, long windowMillis, long firstLockMillis, long maxLockMillis) {
    /** Checks the limits make sense. */
    Limits {
      if (failures < 1 || windowMillis < 1 || firstLockMillis < 1 || maxLockMillis < firstLockMillis) {
        throw new IllegalArgumentException("bad throttle limits");
      }
    }
  }

  /** Per address: 5 failures per 15 minutes, then locks of 30 s doubling to 15 minutes. */
  static final Limits ADDRESS = new Limits(5, 15 * 60_000L, 30_000L, 15 * 60_000L);
  /** Per user (all addresses together): 20 failures per 15 minutes, then the same locks. */
  static final Limits USER = new Limits(20, 15 * 60_000L, 30_000L, 15 * 60_000L);
  /** Most address records kept. */
  static final int MAX_ADDRESSES = 4096;

  /** One scope's record. */
  private static final class Record {
    long windowStart;
    int failures;
    long lockedUntil;
    int locks;
    long lastFailure;
  }

  private final Limits perAddress;
  private final Limits perUser;
  private final int maxAddresses;
  private final LongSupplier clock;
  private final Map<String, Record> addresses;
  private final Map<String, Record> users = new LinkedHashMap<>();

  /** The production limits on the monotonic clock. */
  LoginThrottle() {
    this(ADDRESS, USER, MAX_ADDRESSES, () -> System.nanoTime() / 1_000_000);
  }

  /**
   * @param perAddress limits per source address
   * @param perUser limits per user name
   * @param maxAddresses most address records kept
   * @param clock milliseconds, monotonic
   */
  LoginThrottle(Limits perAddress, Limits perUser, int maxAddresses, LongSupplier clock) {
    this.perAddress = perAddress;
    this.perUser = perUser;
    this.maxAddresses = maxAddresses;
    this.clock = clock;
    this.addresses = BoundedMap.accessOrder(maxAddresses);
  }

  /**
   * @return milliseconds until an attempt from {@code address} as {@code user} may be checked;
   *     0 when it may be checked now
   */
  long retryAfterMillis(String address, String user) {
    long now = clock.getAsLong();
    prune(now);
    return Math.max(wait(addresses.get(address), now), wait(users.get(user), now));
  }

  /** Records a wrong password from {@code address} for {@code user}. */
  void failure(String address, String user) {
    long now = clock.getAsLong();
    fail(addresses.computeIfAbsent(address, a -> new Record()), perAddress, now);
    fail(users.computeIfAbsent(user, u -> new Record()), perUser, now);
  }

  /** Records a right password from {@code address}: its record is cleared. */
  void success(String address) {
    addresses.remove(address);
  }

  /** @return how many address records are held (bounded by {@code maxAddresses}) */
  int addressRecords() {
    return addresses.size();
  }

  private static long wait(Record r, long now) {
    return r == null ? 0 : Math.max(0, r.lockedUntil - now);
  }

  private static void fail(Record r, Limits limits, long now) {
    if (r.failures == 0 || now - r.lastFailure > limits.windowMillis()) {
      // A quiet window forgives: counting starts over, locks start short again.
      r.windowStart = now;
      r.failures = 0;
      r.locks = 0;
    }
    r.failures++;
    r.lastFailure = now;
    if (r.failures > limits.failures()) {
      long lock = limits.firstLockMillis() << Math.min(r.locks, 20);
      r.lockedUntil = now + Math.min(lock, limits.maxLockMillis());
      r.locks++;
    }
  }

  /** Drops a few expired records from the least recently used end, so idle memory goes back. */
  private void prune(long now) {
    Iterator<Record> it = addresses.values().iterator();
    for (int i = 0; i < 8 && it.hasNext(); i++) {
      Record r = it.next();
      if (r.lockedUntil <= now && now - r.lastFailure > perAddress.windowMillis()) {
        it.remove();
      }
    }
  }
}
