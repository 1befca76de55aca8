package org.civitas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The validation of one table in a {@link ValidationReport}: its name, place, header labels,
 * statistics, warnings and errors. Immutable.
 */
public final class ValidationTask {
  private static final String WHAT = "validation task";
  private final String json;
  private final String name;
  private final String type;
  private final boolean valid;
  private final String place;
  private final List<String> labels;
  private final long errorCount;
  private final long warningCount;
  private final double seconds;
  private final long bytes;
  private final long fields;
  private final long rows;
  private final List<String> warnings;
  private final List<ValidationError> errors;
  private final boolean partial;

  ValidationTask(Map<String, Object> o) {
    this.json = JsonDoc.write(o);
    this.name = JsonDoc.str(o, "name", WHAT);
    this.type = JsonDoc.optStr(o, "type", WHAT);
    this.valid = JsonDoc.bool(o, "valid", WHAT);
    String p = JsonDoc.optStr(o, "place", WHAT);
    this.place = p == null ? "" : p;
    this.labels = JsonDoc.strings(o, "labels", WHAT);
    Map<String, Object> st = JsonDoc.optObject(o, "stats", WHAT);
    if (st == null) {
      st = Collections.emptyMap();
    }
    this.errorCount = JsonDoc.lng(st, "errors", 0, WHAT);
    this.warningCount = JsonDoc.lng(st, "warnings", 0, WHAT);
    this.seconds = JsonDoc.num(st, "seconds", 0, WHAT);
    this.bytes = JsonDoc.lng(st, "bytes", 0, WHAT);
    this.fields = JsonDoc.lng(st, "fields", 0, WHAT);
    this.rows = JsonDoc.lng(st, "rows", 0, WHAT);
    this.warnings = JsonDoc.strings(o, "warnings", WHAT);
    List<ValidationError> es = new ArrayList<>();
    for (Map<String, Object> e : JsonDoc.objects(o, "errors", WHAT)) {
      es.add(new ValidationError(e));
    }
    this.errors = Collections.unmodifiableList(es);
    this.partial = JsonDoc.bool(o, "partial", false, WHAT);
  }

  /** The table's name (the file name up to the first dot, or the resource name). */
  public String getName() {
    return name;
  }

  /** "table". */
  public String getType() {
    return type == null ? "table" : type;
  }

  /** True when the table has no error. */
  public boolean isValid() {
    return valid;
  }

  /** The path validated. */
  public String getPlace() {
    return place;
  }

  /** The header labels as read (empty without a header). */
  public List<String> getLabels() {
    return labels;
  }

  /** Number of errors found. */
  public long getErrorCount() {
    return errorCount;
  }

  /** Number of warnings. */
  public long getWarningCount() {
    return warningCount;
  }

  /** Time taken. */
  public double getSeconds() {
    return seconds;
  }

  /** Bytes of decoded input read. */
  public long getBytes() {
    return bytes;
  }

  /** Fields of the schema. */
  public long getFields() {
    return fields;
  }

  /** Data rows validated. */
  public long getRows() {
    return rows;
  }

  /** Warnings, e.g. a foreign key to a table that was not checked. */
  public List<String> getWarnings() {
    return warnings;
  }

  /** The errors, in the report's order (header errors first, then rows). */
  public List<ValidationError> getErrors() {
    return errors;
  }

  /** True when validation stopped at the error limit (more errors may follow). */
  public boolean isPartial() {
    return partial;
  }

  /** The task object (compact JSON). */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidationTask && ((ValidationTask) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "ValidationTask{" + name + (valid ? " valid" : " " + errorCount + " errors") + "}";
  }
}
