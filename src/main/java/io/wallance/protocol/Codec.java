package io.wallance.protocol;

import java.util.Arrays;

/**
 * Decodes wire bytes into a {@link Signed} body, strictly: anything malformed, oversized, of
 * an unknown version or type, with missing, unknown or reordered fields, or not in canonical
 * form is refused with a typed {@link ProtocolException}. Decoding checks syntax only; the
 * signature and every ledger rule are checked by the receiver.
 */
public final class Codec {
  /** The largest message of any type. */
  public static final int MAX_BYTES = 32768;

  private Codec() {}

  /** Decodes one wire message. */
  public static Signed<? extends Body> decode(byte[] wire) throws ProtocolException {
    Canon.Reader r = Canon.Reader.of(wire, MAX_BYTES);
    String version = r.text("wallance");
    if (!version.equals(Integer.toString(Canon.VERSION))) {
      throw new ProtocolException(Reason.UNKNOWN_VERSION, "protocol version " + abbreviate(version));
    }
    String net = r.name("net");
    String typeName = r.text("type");
    Body.Type type = Body.Type.of(typeName);
    if (type == null) {
      throw new ProtocolException(Reason.UNKNOWN_TYPE, "type " + abbreviate(typeName));
    }
    if (wire.length > type.maxBytes()) {
      throw new ProtocolException(Reason.TOO_LARGE, type.wire() + " of " + wire.length + " bytes > " + type.maxBytes());
    }
    Body body = switch (type) {
      case SHARE -> Share.read(net, r);
      case REQUEST -> Request.read(net, r);
      case VOTE -> Vote.read(net, r);
      case STATUS -> Status.read(net, r);
      case PULL -> Pull.read(net, r);
      case REGISTRY -> Registry.read(net, r);
      case COMMAND -> Command.read(net, r);
      case SUMS -> Sums.read(net, r);
    };
    byte[] sig = Crypto.unhex(r.match("sig", Canon.HEX128));
    r.end();
    byte[] canonical = body.canonical();
    int sigLine = 4 + 128 + 1;
    if (canonical.length != wire.length - sigLine || !Arrays.equals(canonical, 0, canonical.length, wire, 0,
        canonical.length)) {
      throw new ProtocolException(Reason.MALFORMED, "not in canonical form");
    }
    return new Signed<>(body, canonical, Crypto.sha256Hex(canonical), sig);
  }

  /** Decodes and checks the type in one go. */
  @SuppressWarnings("unchecked")
  public static <B extends Body> Signed<B> decode(byte[] wire, Class<B> type) throws ProtocolException {
    Signed<? extends Body> s = decode(wire);
    if (!type.isInstance(s.body())) {
      throw new ProtocolException(Reason.UNKNOWN_TYPE, "expected " + type.getSimpleName());
    }
    return (Signed<B>) s;
  }

  private static String abbreviate(String s) {
    return s.length() > 16 ? s.substring(0, 16) + "…" : s;
  }
}
