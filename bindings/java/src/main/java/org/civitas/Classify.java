package org.civitas;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.civitas.internal.CivitasNative;

/**
 * Classification (docs/classify.md): which identifiers and other personal information a
 * value ({@link #value}), a text ({@link #find}), a column ({@link #scanColumn}) or a CSV file
 * ({@link #scanFile}) holds. Type names are those of {@link #types()} ("ric",
 * "mobile_phone", …, "none"). Custom detectors are a JSON array
 * {@code [{"name","pattern","category"?,"level"?}]} (RE2 patterns), or null. All methods are
 * thread-safe.
 */
public final class Classify {
  private Classify() {}

  /** One occurrence in a text: {@code [offset, offset + length)} (see {@link #find}). */
  public static final class Finding {
    private final String type;
    private final long offset;
    private final long length;

    Finding(String type, long offset, long length) {
      this.type = type;
      this.offset = offset;
      this.length = length;
    }

    public String getType() {
      return type;
    }

    public long getOffset() {
      return offset;
    }

    public long getLength() {
      return length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Finding && ((Finding) o).type.equals(type) && ((Finding) o).offset == offset
          && ((Finding) o).length == length;
    }

    @Override
    public int hashCode() {
      return type.hashCode() * 31 + Long.hashCode(offset * 31 + length);
    }

    @Override
    public String toString() {
      return type + "@" + offset + "+" + length;
    }
  }

  /** The classification of one column. */
  public static final class Column {
    private final String name;
    private final String type;
    private final double ratio;
    private final double confidence;
    private final String category;
    private final String level;
    private final String source;

    Column(Map<String, Object> o) {
      String what = "column result";
      this.name = JsonDoc.str(o, "name", what);
      this.type = JsonDoc.str(o, "type", what);
      this.ratio = JsonDoc.num(o, "ratio", 0, what);
      this.confidence = JsonDoc.num(o, "confidence", 0, what);
      this.category = JsonDoc.optStr(o, "category", what);
      this.level = JsonDoc.optStr(o, "level", what);
      this.source = JsonDoc.str(o, "source", what);
    }

    public String getName() {
      return name;
    }

    /** The type, "none" when no type covers enough values. */
    public String getType() {
      return type;
    }

    /** The share of the sampled non-blank values of the type. */
    public double getRatio() {
      return ratio;
    }

    /** 0..1. */
    public double getConfidence() {
      return confidence;
    }

    /** From schema annotations or a custom detector; null otherwise. */
    public String getCategory() {
      return category;
    }

    /** From schema annotations or a custom detector; null otherwise. */
    public String getLevel() {
      return level;
    }

    /** "detected", "schema" or "name". */
    public String getSource() {
      return source;
    }

    @Override
    public String toString() {
      return name + ": " + type + " (" + source + ", ratio " + ratio + ")";
    }
  }

  /** The classification of a table: its columns and the highest column level (or null). */
  public static final class Table {
    private final String json;
    private final List<Column> columns;
    private final String level;

    Table(String json) {
      this.json = json;
      Map<String, Object> o = JsonDoc.object(json, "table result");
      List<Column> cs = new ArrayList<>();
      for (Map<String, Object> c : JsonDoc.objects(o, "columns", "table result")) {
        cs.add(new Column(c));
      }
      this.columns = Collections.unmodifiableList(cs);
      this.level = JsonDoc.optStr(o, "level", "table result");
    }

    public List<Column> getColumns() {
      return columns;
    }

    public String getLevel() {
      return level;
    }

    /** {@code {"columns":[…],"level":…}}, as {@code civitas classify scan --json}. */
    public String toJson() {
      return json;
    }
  }

  /** The built-in type names, "none" first. */
  public static List<String> types() {
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_classify_types(out));
    List<String> names = new ArrayList<>();
    for (Object v : JsonDoc.array(out[0], "types")) {
      names.add((String) v);
    }
    return Collections.unmodifiableList(names);
  }

  /** The type of one cell value, "none" when no detector accepts the whole value. */
  public static String value(String value) {
    return value(value, null);
  }

  /** As {@link #value(String)}, with custom detectors (JSON, or null). */
  public static String value(String value, String detectorsJson) {
    Errors.requireArg(value, "value");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_classify_value(out, value, detectorsJson));
    return out[0];
  }

  /**
   * Every occurrence in bytes of the given encoding (null or "" = guess: UTF-8 when valid,
   * else GB18030); offsets and lengths are in bytes of the input as given.
   */
  public static List<Finding> find(byte[] text, String encoding, String detectorsJson) {
    Errors.requireArg(text, "text");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_classify_find(out, text, encoding == null ? "" : encoding, detectorsJson));
    List<Finding> r = new ArrayList<>();
    for (Object v : JsonDoc.array(out[0], "findings")) {
      Map<String, Object> o = JsonDoc.object(v, "finding");
      r.add(new Finding(JsonDoc.str(o, "type", "finding"), JsonDoc.lng(o, "offset", "finding"),
          JsonDoc.lng(o, "length", "finding")));
    }
    return Collections.unmodifiableList(r);
  }

  /** Every occurrence in a String; offsets and lengths are in chars of the String. */
  public static List<Finding> find(String text) {
    Errors.requireArg(text, "text");
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    List<Finding> bytes = find(utf8, "utf-8", null);
    List<Finding> r = new ArrayList<>();
    int bytePos = 0;
    int charPos = 0;
    for (Finding f : bytes) {
      // Walk the String to the finding's byte offset, then over its length (findings are in order).
      while (bytePos < f.getOffset()) {
        bytePos += utf8Len(text, charPos);
        charPos += Character.charCount(text.codePointAt(charPos));
      }
      int start = charPos;
      int b = bytePos;
      int c = charPos;
      while (b < f.getOffset() + f.getLength()) {
        b += utf8Len(text, c);
        c += Character.charCount(text.codePointAt(c));
      }
      r.add(new Finding(f.getType(), start, c - start));
    }
    return Collections.unmodifiableList(r);
  }

  private static int utf8Len(String s, int i) {
    int cp = s.codePointAt(i);
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  /** Classifies a column from its values (null = blank); the name is a hint only. */
  public static Column scanColumn(String name, List<String> values) {
    return scanColumn(name, values, null);
  }

  /** As {@link #scanColumn(String, List)}, with custom detectors (JSON, or null). */
  public static Column scanColumn(String name, List<String> values, String detectorsJson) {
    Errors.requireArg(values, "values");
    String[] vs = new String[values.size()];
    for (int i = 0; i < vs.length; i++) {
      String v = values.get(i);
      vs[i] = v == null ? "" : v;
    }
    Ids.Column col = Ids.Column.of(vs);
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_classify_column(out, name == null ? "" : name, col.data, col.offsets, col.count,
        detectorsJson));
    return new Column(JsonDoc.object(out[0], "column result"));
  }

  /** Classifies every column of a CSV file (sampled in segments when large). */
  public static Table scanFile(Path csv) {
    return scanFile(csv, null);
  }

  /**
   * As {@link #scanFile(Path)}, with options as JSON: {@code {"schema": {…}, "dialect": {…},
   * "encoding": "gb18030", "full": false, "detectors": […]}} (every member optional).
   */
  public static Table scanFile(Path csv, String optionsJson) {
    Errors.requireArg(csv, "csv");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_classify_scan_file(out, csv.toString(), optionsJson));
    return new Table(out[0]);
  }
}
