package org.civitas;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.CivitasNativeConstants;
import org.civitas.internal.Utf8;
import org.civitas.internal.civ_id_result;

/**
 * Chinese identifiers: Unified Social Credit Codes ({@link IdKind#USCC}, GB 32100),
 * organisation codes ({@link IdKind#ORGCODE}, GB 11714), resident identity numbers
 * ({@link IdKind#RIC}, GB 11643, 18 digits or legacy 15) and administrative division codes
 * ({@link IdKind#GB2260}, GB/T 2260). Every method takes an {@link IdKind}; overloads taking
 * the C API's kind name ("uscc", "orgcode", "ric", "gb2260", alias "division") are a
 * convenience for kinds read from configuration.
 *
 * <p>Input is normalised first: trimmed, full-width forms to ASCII, upper-cased, spaces and
 * hyphens dropped. An invalid identifier is not an exception; exceptions are for bad
 * arguments ({@link InvalidArgumentException}: null, unknown kind) and for the division
 * table functions. All methods are thread-safe.
 */
public final class Ids {
  private static final Map<String, Integer> KINDS = new ConcurrentHashMap<>();
  private static final String[] REASONS = new String[256];

  private Ids() {}

  // ---- by IdKind ----------------------------------------------------------------------

  /** True when code is a valid identifier of the kind (soft rules only warn). */
  public static boolean isValid(IdKind kind, String code) {
    return isValid(kind, code, false);
  }

  /** True when code is valid; with strict, soft rules (e.g. an unknown region) fail too. */
  public static boolean isValid(IdKind kind, String code, boolean strict) {
    return isValid(code(kind), code, strict);
  }

  /** Validates code and parses it into parts. */
  public static IdResult validate(IdKind kind, String code) {
    return validate(kind, code, false);
  }

  /** Validates code (strictly: soft rules become errors) and parses it into parts. */
  public static IdResult validate(IdKind kind, String code, boolean strict) {
    return validate(code(kind), code, strict);
  }

  /** Validates a batch in one native call; true where valid. */
  public static boolean[] validateMany(IdKind kind, String[] codes) {
    return validateMany(kind, codes, false);
  }

  /** As {@link #validateMany(IdKind, String[])}, optionally strict. */
  public static boolean[] validateMany(IdKind kind, String[] codes, boolean strict) {
    return toValid(reasons(code(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** Validates a list in one native call; true where valid. */
  public static boolean[] validateMany(IdKind kind, List<String> codes) {
    return validateMany(kind, codes, false);
  }

  /** As {@link #validateMany(IdKind, List)}, optionally strict. */
  public static boolean[] validateMany(IdKind kind, List<String> codes, boolean strict) {
    return toValid(reasons(code(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** Validates a batch in one native call; null where valid, else the reason name. */
  public static String[] reasonsMany(IdKind kind, String[] codes) {
    return reasonsMany(kind, codes, false);
  }

  /** As {@link #reasonsMany(IdKind, String[])}, optionally strict. */
  public static String[] reasonsMany(IdKind kind, String[] codes, boolean strict) {
    return toNames(reasons(code(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** Validates a list in one native call; null where valid, else the reason name. */
  public static String[] reasonsMany(IdKind kind, List<String> codes) {
    return reasonsMany(kind, codes, false);
  }

  /** As {@link #reasonsMany(IdKind, List)}, optionally strict. */
  public static String[] reasonsMany(IdKind kind, List<String> codes, boolean strict) {
    return toNames(reasons(code(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /**
   * The check character for an identifier body: USCC 17 characters, orgcode 8, resident ID
   * 17 digits (normalised first).
   *
   * @throws InvalidArgumentException for a wrong length or character, or {@link IdKind#GB2260}
   */
  public static char checkChar(IdKind kind, String body) {
    return checkChar(code(kind), body);
  }

  // ---- by name (convenience: "uscc", "orgcode", "ric", "gb2260", alias "division") ------

  /** As {@link #isValid(IdKind, String)} with the kind's C API name. */
  public static boolean isValid(String kind, String code) {
    return isValid(kind, code, false);
  }

  /** As {@link #isValid(IdKind, String, boolean)} with the kind's C API name. */
  public static boolean isValid(String kind, String code, boolean strict) {
    return isValid(kind(kind), code, strict);
  }

  /** As {@link #validate(IdKind, String)} with the kind's C API name. */
  public static IdResult validate(String kind, String code) {
    return validate(kind, code, false);
  }

  /** As {@link #validate(IdKind, String, boolean)} with the kind's C API name. */
  public static IdResult validate(String kind, String code, boolean strict) {
    return validate(kind(kind), code, strict);
  }

  /** As {@link #validateMany(IdKind, String[])} with the kind's C API name. */
  public static boolean[] validateMany(String kind, String[] codes) {
    return validateMany(kind, codes, false);
  }

  /** As {@link #validateMany(IdKind, String[], boolean)} with the kind's C API name. */
  public static boolean[] validateMany(String kind, String[] codes, boolean strict) {
    return toValid(reasons(kind(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** As {@link #validateMany(IdKind, List)} with the kind's C API name. */
  public static boolean[] validateMany(String kind, List<String> codes) {
    return validateMany(kind, codes, false);
  }

  /** As {@link #validateMany(IdKind, List, boolean)} with the kind's C API name. */
  public static boolean[] validateMany(String kind, List<String> codes, boolean strict) {
    return toValid(reasons(kind(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** As {@link #reasonsMany(IdKind, String[])} with the kind's C API name. */
  public static String[] reasonsMany(String kind, String[] codes) {
    return reasonsMany(kind, codes, false);
  }

  /** As {@link #reasonsMany(IdKind, String[], boolean)} with the kind's C API name. */
  public static String[] reasonsMany(String kind, String[] codes, boolean strict) {
    return toNames(reasons(kind(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** As {@link #reasonsMany(IdKind, List)} with the kind's C API name. */
  public static String[] reasonsMany(String kind, List<String> codes) {
    return reasonsMany(kind, codes, false);
  }

  /** As {@link #reasonsMany(IdKind, List, boolean)} with the kind's C API name. */
  public static String[] reasonsMany(String kind, List<String> codes, boolean strict) {
    return toNames(reasons(kind(kind), Column.of(Errors.requireArg(codes, "codes")), strict));
  }

  /** As {@link #checkChar(IdKind, String)} with the kind's C API name. */
  public static char checkChar(String kind, String body) {
    return checkChar(kind(kind), body);
  }

  // ---- the native calls -----------------------------------------------------------------

  private static boolean isValid(int k, String code, boolean strict) {
    Errors.requireArg(code, "code");
    int[] reason = new int[1];
    Errors.check(CivitasNative.civ_id_check(reason, null, k, code, flags(strict)));
    return reason[0] == 0;
  }

  private static IdResult validate(int k, String code, boolean strict) {
    Errors.requireArg(code, "code");
    civ_id_result r = new civ_id_result();
    try {
      Errors.check(CivitasNative.civ_id_result_init(r, CivitasNativeConstants.CIV_ID_RESULT_VERSION));
      Errors.check(CivitasNative.civ_id_validate(r, k, code, flags(strict)));
      return IdResult.from(IdKind.fromCode(k), r);
    } finally {
      r.delete();
    }
  }

  private static char checkChar(int k, String body) {
    Errors.requireArg(body, "body");
    char[] out = new char[1];
    Errors.check(CivitasNative.civ_id_check_char(out, k, body));
    return out[0];
  }

  /**
   * Converts a valid legacy 15-digit resident ID number into its 18-digit form.
   *
   * @throws InvalidDataException when legacy is not a valid 15-digit number
   */
  public static String ricUpgrade(String legacy) {
    Errors.requireArg(legacy, "legacy");
    byte[] out = new byte[19];
    Errors.check(CivitasNative.civ_id_ric_upgrade(out, legacy));
    return Utf8.decodeCString(out);
  }

  /**
   * Replaces the process-wide GB/T 2260 division table with a file in the loc.dat text
   * format (docs/formats/division-table.md). Validations in flight finish on the old table.
   *
   * @throws CivitasIOException when the file cannot be read
   * @throws ParseException when it is malformed (the message names the line)
   */
  public static void loadDivisionTable(String path) {
    Errors.requireArg(path, "path");
    Errors.check(CivitasNative.civ_id_load_division_table(path));
  }

  /** As {@link #loadDivisionTable(String)}. */
  public static void loadDivisionTable(Path path) {
    loadDivisionTable(Errors.requireArg(path, "path").toString());
  }

  /** Restores the division table built into the library. */
  public static void resetDivisionTable() {
    Errors.check(CivitasNative.civ_id_reset_division_table());
  }

  /** Describes the current division table: "builtin: …" or the path it was loaded from. */
  public static String divisionTableSource() {
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_id_division_table_source(out));
    return out[0];
  }

  // ---- helpers ------------------------------------------------------------------------

  private static long flags(boolean strict) {
    return strict ? CivitasNativeConstants.CIV_ID_STRICT : 0;
  }

  /** Resolves a kind name once through civ_id_kind_from_name, then from a cache. */
  static int kind(String name) {
    Errors.requireArg(name, "kind");
    Integer cached = KINDS.get(name);
    if (cached != null) {
      return cached;
    }
    int[] out = new int[1];
    Errors.check(CivitasNative.civ_id_kind_from_name(out, name));
    KINDS.put(name, out[0]);
    return out[0];
  }

  /** The stable name of a reason code; null for CIV_ID_OK. */
  static String reasonName(int reason) {
    if (reason == 0) {
      return null;
    }
    int i = reason & 0xff;
    String name = REASONS[i]; // benign race: every thread computes the same String
    if (name == null || i != reason) {
      name = CivitasNative.civ_id_reason_name(reason);
      if (i == reason) {
        REASONS[i] = name;
      }
    }
    return name;
  }

  /** Names of the CIV_ID_WARN bits set in warnings. */
  static List<String> warningNames(long warnings) {
    if (warnings == 0) {
      return Collections.emptyList();
    }
    List<String> names = new ArrayList<>();
    for (int bit = 1; bit < 32; bit++) {
      if ((warnings & (1L << bit)) != 0) {
        names.add(reasonName(bit));
      }
    }
    return Collections.unmodifiableList(names);
  }

  /** The C value of a kind. */
  static int code(IdKind kind) {
    return Errors.requireArg(kind, "kind").code();
  }

  private static byte[] reasons(int k, Column column, boolean strict) {
    byte[] reasons = new byte[column.count];
    Errors.check(CivitasNative.civ_id_validate_column(reasons, null, null, k, column.data, column.offsets,
        column.count, flags(strict)));
    return reasons;
  }

  private static boolean[] toValid(byte[] reasons) {
    boolean[] valid = new boolean[reasons.length];
    for (int i = 0; i < reasons.length; i++) {
      valid[i] = reasons[i] == 0;
    }
    return valid;
  }

  private static String[] toNames(byte[] reasons) {
    String[] names = new String[reasons.length];
    for (int i = 0; i < reasons.length; i++) {
      names[i] = reasonName(reasons[i] & 0xff);
    }
    return names;
  }

  /**
   * Codes as one column in Arrow layout (one UTF-8 buffer, count + 1 offsets), built without
   * an allocation per value, so that civ_id_validate_column sees the batch in one JNI call.
   */
  static final class Column {
    final byte[] data;
    final long[] offsets;
    final int count;

    private Column(byte[] data, long[] offsets, int count) {
      this.data = data;
      this.offsets = offsets;
      this.count = count;
    }

    static Column of(List<String> codes) {
      return of(codes.toArray(new String[0])); // a snapshot: the list may change meanwhile
    }

    static Column of(String[] codes) {
      int n = codes.length;
      long total = 0;
      for (int i = 0; i < n; i++) {
        if (codes[i] == null) {
          throw new InvalidArgumentException("codes[" + i + "] must not be null");
        }
        total += utf8Length(codes[i]);
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new InvalidArgumentException("codes: more than 2 GiB of text in one batch");
      }
      byte[] data = new byte[(int) total];
      long[] offsets = new long[n + 1];
      int pos = 0;
      for (int i = 0; i < n; i++) {
        offsets[i] = pos;
        pos = putUtf8(codes[i], data, pos);
      }
      offsets[n] = pos;
      return new Column(data, offsets, n);
    }

    /** UTF-8 length of s as String.getBytes(UTF_8) would encode it. */
    static int utf8Length(String s) {
      int len = 0;
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          len += 1;
        } else if (c < 0x800) {
          len += 2;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          len += 4;
          i++;
        } else if (Character.isSurrogate(c)) {
          len += 1; // an unpaired surrogate is encoded as '?'
        } else {
          len += 3;
        }
      }
      return len;
    }

    /** Writes s as UTF-8 at out[pos]; returns the new position. */
    static int putUtf8(String s, byte[] out, int pos) {
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          out[pos++] = (byte) c;
        } else if (c < 0x800) {
          out[pos++] = (byte) (0xc0 | (c >> 6));
          out[pos++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          out[pos++] = (byte) (0xf0 | (cp >> 18));
          out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          out[pos++] = (byte) (0x80 | (cp & 0x3f));
        } else if (Character.isSurrogate(c)) {
          out[pos++] = (byte) '?';
        } else {
          out[pos++] = (byte) (0xe0 | (c >> 12));
          out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3f));
          out[pos++] = (byte) (0x80 | (c & 0x3f));
        }
      }
      return pos;
    }
  }
}
