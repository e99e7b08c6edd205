package io.wallance.web;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one JSON object of a config file strictly: unknown fields, missing required fields and
 * wrong types are errors whose message names the file and the dotted field path.
 */
final class StrictJson {
  private final String file;
  private final String path;
  private final JsonObject json;

  private StrictJson(String file, String path, JsonObject json) {
    this.file = file;
    this.path = path;
    this.json = json;
  }

  /** Parses {@code text} as one JSON object. */
  static StrictJson parse(String file, String text) {
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigException(file + ": not valid JSON: " + firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject object)) {
      throw new ConfigException(file + ": must hold one JSON object");
    }
    return new StrictJson(file, "", object);
  }

  /** Refuses any field not in {@code allowed} (a typo would otherwise be silently ignored). */
  StrictJson allow(String... allowed) {
    Set<String> unknown = new TreeSet<>(json.fieldNames());
    unknown.removeAll(Set.of(allowed));
    if (!unknown.isEmpty()) {
      throw error(name(unknown.iterator().next()), "unknown field (allowed: " + String.join(", ", allowed) + ")");
    }
    return this;
  }

  boolean has(String key) {
    return json.containsKey(key) && json.getValue(key) != null;
  }

  String string(String key) {
    Object v = required(key);
    if (!(v instanceof String s) || s.isBlank()) {
      throw error(name(key), "must be a non-empty string");
    }
    return s;
  }

  int integer(String key, int min, int max) {
    Object v = required(key);
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min
        || ((Number) v).longValue() > max) {
      throw error(name(key), "must be an integer " + min + "-" + max + ", got " + render(v));
    }
    return ((Number) v).intValue();
  }

  int integer(String key, int min, int max, int fallback) {
    return has(key) ? integer(key, min, max) : fallback;
  }

  List<String> strings(String key) {
    Object v = required(key);
    if (!(v instanceof JsonArray array)) {
      throw error(name(key), "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw error(name(key), "must be an array of non-empty strings");
      }
      out.add(s);
    }
    return out;
  }

  StrictJson object(String key) {
    Object v = required(key);
    if (!(v instanceof JsonObject o)) {
      throw error(name(key), "must be a JSON object");
    }
    return new StrictJson(file, name(key) + ".", o);
  }

  ConfigException error(String field, String message) {
    return new ConfigException(file + ": " + field + " " + message);
  }

  String name(String key) {
    return path + key;
  }

  private Object required(String key) {
    if (!has(key)) {
      throw error(name(key), "is missing");
    }
    return json.getValue(key);
  }

  private static String render(Object v) {
    String s = v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
