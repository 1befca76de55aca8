package org.civitas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The result of validating data against table schemas ({@link Schema#validate},
 * {@link Schema#validatePackage}): one {@link ValidationTask} per table, in the shape of the
 * frictionless-py 5 report (docs/formats/validation-report.md). Invalid data is a report with
 * {@link #isValid()} false, not an exception. Immutable; {@link #toJson()} is the report as
 * the C API wrote it (what {@code civitas validate --json} prints).
 */
public final class ValidationReport {
  private static final String WHAT = "validation report";
  private final String json;
  private final boolean valid;
  private final long taskCount;
  private final long errorCount;
  private final long warningCount;
  private final double seconds;
  private final List<String> warnings;
  private final List<ValidationError> errors;
  private final List<ValidationTask> tasks;

  private ValidationReport(String json, Map<String, Object> o) {
    this.json = json;
    Object v = o.get("version");
    if (v != null && !Long.valueOf(1).equals(v)) {
      throw new UnsupportedVersionException(WHAT + ": version " + v + " (this library reads 1)");
    }
    this.valid = JsonDoc.bool(o, "valid", WHAT);
    List<ValidationTask> ts = new ArrayList<>();
    for (Map<String, Object> t : JsonDoc.objects(o, "tasks", WHAT)) {
      ts.add(new ValidationTask(t));
    }
    this.tasks = Collections.unmodifiableList(ts);
    Map<String, Object> st = JsonDoc.optObject(o, "stats", WHAT);
    if (st == null) {
      st = Collections.emptyMap();
    }
    this.taskCount = JsonDoc.lng(st, "tasks", ts.size(), WHAT);
    this.errorCount = JsonDoc.lng(st, "errors", 0, WHAT);
    this.warningCount = JsonDoc.lng(st, "warnings", 0, WHAT);
    this.seconds = JsonDoc.num(st, "seconds", 0, WHAT);
    this.warnings = JsonDoc.strings(o, "warnings", WHAT);
    List<ValidationError> es = new ArrayList<>();
    for (Map<String, Object> e : JsonDoc.objects(o, "errors", WHAT)) {
      es.add(new ValidationError(e));
    }
    this.errors = Collections.unmodifiableList(es);
  }

  /**
   * Reads a validation report (version 1).
   *
   * @throws ParseException when it is not a report; UnsupportedVersionException for another version
   */
  public static ValidationReport fromJson(String json) {
    return new ValidationReport(json, JsonDoc.object(json, WHAT));
  }

  /** True when every task is valid. */
  public boolean isValid() {
    return valid;
  }

  /** Number of tables validated. */
  public long getTaskCount() {
    return taskCount;
  }

  /** Errors over all tasks. */
  public long getErrorCount() {
    return errorCount;
  }

  /** Warnings over all tasks. */
  public long getWarningCount() {
    return warningCount;
  }

  /** Time taken, over all tasks. */
  public double getSeconds() {
    return seconds;
  }

  /** Report-level warnings (a data package: resources without a table schema, not validated). */
  public List<String> getWarnings() {
    return warnings;
  }

  /** Report-level errors (empty: errors belong to tasks). */
  public List<ValidationError> getErrors() {
    return errors;
  }

  /** One task per table, in order. */
  public List<ValidationTask> getTasks() {
    return tasks;
  }

  /** The first task (a single file's report has exactly one). */
  public ValidationTask getTask() {
    if (tasks.isEmpty()) {
      throw new IllegalStateException("the report has no task");
    }
    return tasks.get(0);
  }

  /** Every error of every task, in order (unmodifiable). */
  public List<ValidationError> getAllErrors() {
    List<ValidationError> all = new ArrayList<>(errors);
    for (ValidationTask t : tasks) {
      all.addAll(t.getErrors());
    }
    return Collections.unmodifiableList(all);
  }

  /** The report as the C API returned it. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidationReport && ((ValidationReport) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "ValidationReport{" + (valid ? "valid" : errorCount + " errors") + ", " + tasks.size() + " tasks}";
  }
}
