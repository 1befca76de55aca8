package org.civitas;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.civitas.internal.Json;

/**
 * Reading the JSON documents of the C API into the typed result classes (WorkspaceInfo,
 * KeyInfo, ValidationReport, PackageSummary, CatalogRecord, …). Members a class does not know
 * are ignored, so that a newer library that adds members is still read; a member of the wrong
 * type is a {@link ParseException} naming it. Package-private.
 */
final class JsonDoc {
  private JsonDoc() {}

  /** Parses text that must be a JSON object. */
  static Map<String, Object> object(String json, String what) {
    return object(parse(json, what), what);
  }

  /** Parses text that must be a JSON array. */
  static List<Object> array(String json, String what) {
    Object v = parse(json, what);
    if (!(v instanceof List)) {
      throw new ParseException(what + ": not a JSON array");
    }
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) v;
    return l;
  }

  static Object parse(String json, String what) {
    Errors.requireArg(json, what);
    try {
      return Json.parse(json);
    } catch (IllegalArgumentException x) {
      throw new ParseException(what + ": " + x.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object v, String what) {
    if (!(v instanceof Map)) {
      throw new ParseException(what + ": not a JSON object");
    }
    return (Map<String, Object>) v;
  }

  /** A required string member. */
  static String str(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    if (!(v instanceof String)) {
      throw new ParseException(what + ": \"" + k + "\" must be a string");
    }
    return (String) v;
  }

  /** An optional string member: null when absent or null. */
  static String optStr(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw new ParseException(what + ": \"" + k + "\" must be a string");
    }
    return (String) v;
  }

  /** A required integer member. */
  static long lng(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    if (!(v instanceof Long)) {
      throw new ParseException(what + ": \"" + k + "\" must be an integer");
    }
    return (Long) v;
  }

  /** An optional integer member: null when absent or null. */
  static Long optLng(Map<String, Object> o, String k, String what) {
    return o.get(k) == null ? null : lng(o, k, what);
  }

  /** An optional integer member with a default. */
  static long lng(Map<String, Object> o, String k, long dflt, String what) {
    return o.get(k) == null ? dflt : lng(o, k, what);
  }

  /** An optional number member (integer or not) with a default. */
  static double num(Map<String, Object> o, String k, double dflt, String what) {
    Object v = o.get(k);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number)) {
      throw new ParseException(what + ": \"" + k + "\" must be a number");
    }
    return ((Number) v).doubleValue();
  }

  /** A required boolean member. */
  static boolean bool(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    if (!(v instanceof Boolean)) {
      throw new ParseException(what + ": \"" + k + "\" must be true or false");
    }
    return (Boolean) v;
  }

  /** An optional boolean member with a default. */
  static boolean bool(Map<String, Object> o, String k, boolean dflt, String what) {
    return o.get(k) == null ? dflt : bool(o, k, what);
  }

  /** An optional array of strings: an unmodifiable list, empty when absent. */
  static List<String> strings(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    if (v == null) {
      return Collections.emptyList();
    }
    if (!(v instanceof List)) {
      throw new ParseException(what + ": \"" + k + "\" must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object x : (List<?>) v) {
      if (!(x instanceof String)) {
        throw new ParseException(what + ": \"" + k + "\" must be an array of strings");
      }
      out.add((String) x);
    }
    return Collections.unmodifiableList(out);
  }

  /** An optional array of objects: a list, empty when absent. */
  static List<Map<String, Object>> objects(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    if (v == null) {
      return Collections.emptyList();
    }
    if (!(v instanceof List)) {
      throw new ParseException(what + ": \"" + k + "\" must be an array of objects");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object x : (List<?>) v) {
      out.add(object(x, what + ": \"" + k + "\""));
    }
    return out;
  }

  /** An optional object member: null when absent or null. */
  static Map<String, Object> optObject(Map<String, Object> o, String k, String what) {
    Object v = o.get(k);
    return v == null ? null : object(v, what + ": \"" + k + "\"");
  }

  /** An optional base64 member: null when absent. */
  static byte[] base64(Map<String, Object> o, String k, String what) {
    String s = optStr(o, k, what);
    if (s == null) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException x) {
      throw new ParseException(what + ": \"" + k + "\" is not base64");
    }
  }

  /** An unmodifiable string-to-integer map member (empty when absent). */
  static Map<String, Long> longs(Map<String, Object> o, String k, String what) {
    Map<String, Object> m = optObject(o, k, what);
    if (m == null) {
      return Collections.emptyMap();
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (String key : m.keySet()) {
      out.put(key, lng(m, key, what + ": \"" + k + "\""));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A JSON value as compact JSON text (null stays null). */
  static String write(Object v) {
    return v == null ? null : Json.write(v);
  }

  static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }
}
