package org.civitas.internal;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 conversions used by the generated JNI proxies (see bindings/java/swig/typemaps.i).
 * Text crosses JNI as real UTF-8 in byte arrays, never as JNI "modified UTF-8".
 * Internal: not part of the public API.
 */
public final class Utf8 {
  private Utf8() {}

  /** The UTF-8 bytes of s (no terminator), or null for null. */
  public static byte[] encode(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** The UTF-8 bytes of s followed by a NUL, or null for null. */
  public static byte[] cstring(String s) {
    if (s == null) {
      return null;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] z = new byte[b.length + 1];
    System.arraycopy(b, 0, z, 0, b.length);
    return z;
  }

  /** Decodes UTF-8 (malformed sequences become U+FFFD), or null for null. */
  public static String decode(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** Decodes the bytes of b up to its first NUL (or its end). */
  public static String decodeCString(byte[] b) {
    if (b == null) {
      return null;
    }
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }
}
