package org.civitas;

import java.util.List;
import java.util.Map;

/**
 * One error of a {@link ValidationTask} (docs/formats/validation-report.md): its frictionless
 * type ("type-error", "constraint-error", "missing-cell", …, and the civitas types
 * "identifier-checksum", "identifier-component"), message, note and where it is. Members an
 * error type does not have are null (numbers), "" (strings) or empty (lists); the full error,
 * with the members of label and foreign-key errors, is {@link #toJson()}. Immutable.
 */
public final class ValidationError {
  private static final String WHAT = "validation error";
  private final String json;
  private final String type;
  private final String title;
  private final String message;
  private final String note;
  private final List<String> tags;
  private final Long rowNumber;
  private final List<String> cells;
  private final String cell;
  private final String fieldName;
  private final Long fieldNumber;

  ValidationError(Map<String, Object> o) {
    this.json = JsonDoc.write(o);
    this.type = JsonDoc.str(o, "type", WHAT);
    this.title = orEmpty(JsonDoc.optStr(o, "title", WHAT));
    this.message = orEmpty(JsonDoc.optStr(o, "message", WHAT));
    this.note = orEmpty(JsonDoc.optStr(o, "note", WHAT));
    this.tags = JsonDoc.strings(o, "tags", WHAT);
    this.rowNumber = JsonDoc.optLng(o, "rowNumber", WHAT);
    this.cells = JsonDoc.strings(o, "cells", WHAT);
    this.cell = JsonDoc.optStr(o, "cell", WHAT);
    this.fieldName = orEmpty(JsonDoc.optStr(o, "fieldName", WHAT));
    this.fieldNumber = JsonDoc.optLng(o, "fieldNumber", WHAT);
  }

  /**
   * Reads one error object of a validation report.
   *
   * @throws ParseException when it is not such an object
   */
  public static ValidationError fromJson(String json) {
    return new ValidationError(JsonDoc.object(json, WHAT));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The error type, e.g. "type-error", "identifier-checksum". */
  public String getType() {
    return type;
  }

  /** The type's fixed title, e.g. "Type Error". */
  public String getTitle() {
    return title;
  }

  /** Human-readable message. */
  public String getMessage() {
    return message;
  }

  /** The specific reason, e.g. {@code constraint "maximum" is "100"}; may be "". */
  public String getNote() {
    return note;
  }

  /** The type's tags ("#table", "#row", "#cell", …). */
  public List<String> getTags() {
    return tags;
  }

  /** 1-based row number (the header is row 1) of row, cell and label errors; else null. */
  public Long getRowNumber() {
    return rowNumber;
  }

  /** Every cell of the row as read (row and cell errors); else empty. */
  public List<String> getCells() {
    return cells;
  }

  /** The cell as read (cell errors; "" for a missing cell); else null. */
  public String getCell() {
    return cell;
  }

  /** The schema field of cell and label errors; else "". */
  public String getFieldName() {
    return fieldName;
  }

  /** The field's 1-based position (cell and label errors); else null. */
  public Long getFieldNumber() {
    return fieldNumber;
  }

  /** The whole error object (compact JSON). */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidationError && ((ValidationError) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return message.isEmpty() ? type : message;
  }
}
