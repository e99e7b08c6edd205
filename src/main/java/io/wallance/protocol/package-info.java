/**
 * The pure protocol vocabulary of Wallance: message bodies, their canonical byte encoding,
 * Ed25519 signatures, light proof-of-work, the member registry and the quorum rule.
 *
 * <p>Nothing in this package performs I/O, reads a clock or draws randomness it is not
 * handed, so every function here is deterministic. {@code docs/PROTOCOL.md} is the
 * specification these classes implement.
 */
package io.wallance.protocol;
