package io.wallance.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, strict access to one JSON object of a config file (node.json, web.json). Every read
 * names its field; {@link #noOthers()} then refuses any field nobody read, so a typo is an
 * error rather than a silently ignored setting. Every problem is a {@link ConfigException}
 * whose one line names the file and the dotted field path, e.g.
 * {@code config /etc/wallance/node.json: field 'cluster.port' must be between 1 and 65535, got 0}.
 */
public final class StrictJson {
  private final String source;
  private final String prefix;
  private final JsonObject json;
  private final Set<String> seen = new LinkedHashSet<>();

  private StrictJson(String source, String prefix, JsonObject json) {
    this.source = source;
    this.prefix = prefix;
    this.json = json;
  }

  /**
   * Parses {@code text} as one JSON object.
   *
   * @param source the file name, for messages
   * @param text the file's text
   * @return the reader of the top-level object
   * @throws ConfigException when the text is not JSON or not one object
   */
  public static StrictJson parse(String source, String text) {
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigException("config " + source + " is not valid JSON: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (!(value instanceof JsonObject object)) {
      throw new ConfigException("config " + source + " must hold one JSON object");
    }
    return new StrictJson(source, "", object);
  }

  /** @return an error about {@code field} of this object: {@code config FILE: field 'PATH' PROBLEM} */
  public ConfigException error(String field, String problem) {
    return new ConfigException("config " + source + ": field '" + prefix + field + "' " + problem);
  }

  /** @return an error about this file that names no field */
  public ConfigException error(String problem) {
    return new ConfigException("config " + source + ": " + problem);
  }

  /** @return true when {@code field} is present and not null (does not count as a read) */
  public boolean has(String field) {
    return json.getValue(field) != null;
  }

  private Object value(String field, boolean required) {
    seen.add(field);
    Object v = json.getValue(field);
    if (v == null && required) {
      throw error(field, json.containsKey(field) ? "must not be null" : "is missing");
    }
    return v;
  }

  /** @return the non-blank string, or null when absent and not required */
  public String string(String field, boolean required) {
    Object v = value(field, required);
    if (v != null && !(v instanceof String)) {
      throw error(field, "must be a string");
    }
    String s = (String) v;
    if (s != null && s.isBlank()) {
      throw error(field, "must not be blank");
    }
    return s;
  }

  /** @return the integer in {@code [min, max]}, or {@code fallback} when absent and not required */
  public long integer(String field, boolean required, long min, long max, long fallback) {
    Object v = value(field, required);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer || v instanceof Long)) {
      throw error(field, "must be an integer");
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw error(field, "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  /** @return the boolean, or null when absent and not required */
  public Boolean bool(String field, boolean required) {
    Object v = value(field, required);
    if (v != null && !(v instanceof Boolean)) {
      throw error(field, "must be true or false");
    }
    return (Boolean) v;
  }

  /**
   * A path field resolved against {@code base}; {@code fallback} (also resolved) when absent.
   *
   * @return the normalized path, or null when the field is absent and there is no fallback
   */
  public Path path(String field, boolean required, Path base, String fallback) {
    String s = string(field, required);
    if (s == null && fallback == null) {
      return null;
    }
    return resolve(field, base, s == null ? fallback : s);
  }

  /** @return {@code value} (a file name read from {@code field}) resolved against {@code base} */
  public Path resolve(String field, Path base, String value) {
    try {
      return base.resolve(value).normalize();
    } catch (InvalidPathException e) {
      throw error(field, "is not a valid path: " + e.getReason());
    }
  }

  /** @return a reader of the nested object, or null when absent and not required */
  public StrictJson object(String field, boolean required) {
    Object v = value(field, required);
    if (v != null && !(v instanceof JsonObject)) {
      throw error(field, "must be an object");
    }
    return v == null ? null : new StrictJson(source, prefix + field + ".", (JsonObject) v);
  }

  /** @return the list, or null when absent and not required */
  public JsonArray array(String field, boolean required) {
    Object v = value(field, required);
    if (v != null && !(v instanceof JsonArray)) {
      throw error(field, "must be a list");
    }
    return (JsonArray) v;
  }

  /** @return the list of non-blank strings ({@code what} names an item in the message), empty when absent */
  public List<String> strings(String field, boolean required, String what) {
    JsonArray array = array(field, required);
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (Object item : array) {
        if (!(item instanceof String s) || s.isBlank()) {
          throw error(field, "must be a list of " + what);
        }
        out.add(s);
      }
    }
    return out;
  }

  /** Refuses any field of this object that was not read. */
  public void noOthers() {
    for (String key : json.fieldNames()) {
      if (!seen.contains(key)) {
        throw new ConfigException("config " + source + ": unknown field '" + prefix + key + "'");
      }
    }
  }
}
