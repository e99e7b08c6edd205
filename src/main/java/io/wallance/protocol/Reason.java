package io.wallance.protocol;

/**
 * Every typed reason a message can be rejected for, by decoders and by the ledger.
 *
 * <p>The names are part of the observable interface (counters, events, docs): add new ones,
 * never rename.
 */
public enum Reason {
  // --- decoding (syntax) ---
  /** The message is larger than its type allows. */
  TOO_LARGE,
  /** The bytes are not printable ASCII lines ending in LF. */
  MALFORMED,
  /** The protocol version is not one this release accepts. */
  UNKNOWN_VERSION,
  /** The message type is not known. */
  UNKNOWN_TYPE,
  /** A field is missing, unexpected, duplicated or out of order. */
  BAD_FIELDS,
  /** A field's value does not match its grammar or range. */
  BAD_VALUE,
  // --- authentication ---
  /** The message names another network. */
  WRONG_NETWORK,
  /** The author is not a member (or operator) of the registry that applies. */
  UNKNOWN_AUTHOR,
  /** The Ed25519 signature does not verify. */
  BAD_SIGNATURE,
  /** The light proof-of-work is missing. */
  BAD_POW,
  // --- ledger rules ---
  /** The contract is not in the catalogue of the cited epoch, or its price differs. */
  UNKNOWN_CONTRACT,
  /** The request's previous state was already superseded (replay or double spend). */
  STALE_STATE,
  /** The request cites an epoch older than its previous state's, or an unknown one too far ahead. */
  BAD_EPOCH,
  /** The request's cited position or balance does not add up. */
  BAD_BALANCE,
  /** The buyer cannot afford the debit at the cited position. */
  INSUFFICIENT_FUNDS,
  /**
   * The request cites a reward already cited on the buyer's chain. (A reward the voter does
   * not know yet is not a rejection: the voter stays silent and pulls it, since it may still
   * arrive.)
   */
  BAD_REWARD,
  /** The request or vote is not for this member set (e.g. buyer votes on its own request). */
  NOT_ELIGIBLE,
  /** A registry is not signed by an operator of the previous epoch, or does not follow it. */
  BAD_REGISTRY,
  /** An operator command is replayed, addressed elsewhere or otherwise unusable. */
  BAD_COMMAND,
  /** A bounded buffer was full; the message can be pulled again later. */
  BUFFER_FULL,
  /**
   * A certificate or a continuing registry conflicts with a head that a continuing registry
   * names for a wallet (PROTOCOL.md 9.10): the two cannot both belong to one ledger.
   */
  CONTINUATION_CONFLICT
}
