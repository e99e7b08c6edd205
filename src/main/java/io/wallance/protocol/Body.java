package io.wallance.protocol;

/**
 * The signed part of a message. Each record writes its fields in its fixed order after the
 * common header ({@code wallance}, {@code net}, {@code type}); {@link Codec} reads them back.
 */
public sealed interface Body permits Body.Mined, Status, Pull, Sums, Registry, Command {
  /** The network id inside the signed bytes, so nothing replays across networks. */
  String net();

  /** The id (public key hex) of the member or operator that signs this body. */
  String author();

  /** The wire name of this type. */
  Type type();

  /** Writes the type-specific fields, in order. */
  void writeFields(Canon.Writer w);

  /** The canonical bytes of this body: the bytes that are hashed and signed. */
  default byte[] canonical() {
    Canon.Writer w = new Canon.Writer()
        .put("wallance", Canon.VERSION)
        .put("net", net())
        .put("type", type().wire());
    writeFields(w);
    return w.bytes();
  }

  /** Bodies that carry a light proof-of-work nonce (the transactions). */
  sealed interface Mined extends Body permits Share, Request, Vote {
    /** The proof-of-work nonce. */
    long nonce();

    /** The same body with another nonce (used while mining). */
    Mined withNonce(long nonce);
  }

  /** Message types and their wire names and size caps. */
  enum Type {
    SHARE("share", 1024),
    REQUEST("request", 4096),
    VOTE("vote", 1024),
    STATUS("status", 32768),
    PULL("pull", 1024),
    REGISTRY("registry", 32768),
    COMMAND("command", 1024),
    SUMS("sums", 4096);

    private final String wire;
    private final int maxBytes;

    Type(String wire, int maxBytes) {
      this.wire = wire;
      this.maxBytes = maxBytes;
    }

    /** The name on the wire. */
    public String wire() {
      return wire;
    }

    /** The largest encoded message (body and signature line) of this type. */
    public int maxBytes() {
      return maxBytes;
    }

    /** The type of a wire name, or null. */
    public static Type of(String wire) {
      for (Type t : values()) {
        if (t.wire.equals(wire)) {
          return t;
        }
      }
      return null;
    }
  }
}
