package org.civitas;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.civitas.internal.CivitasNative;

/**
 * Table schemas (Frictionless Table Schema v1/v2 plus the civitas extensions) and record
 * validation. Schemas and dialects are JSON text (docs/schema.md); results are
 * {@link ValidationReport} and {@link CheckReport} (docs/formats/validation-report.md).
 *
 * <p>Invalid data is not an exception: {@link ValidationReport#isValid()} is false. Exceptions:
 * {@link ParseException} (malformed JSON), {@link InvalidDataException} (a schema that breaks
 * a rule), {@link CivitasIOException} (unreadable file), {@link InvalidArgumentException}
 * (bad dialect, null). All methods are thread-safe.
 */
public final class Schema {
  private Schema() {}

  /** Every broken rule of a table schema (JSON pointer and message each). */
  public static CheckReport check(String schemaJson) {
    notNull(schemaJson, "schemaJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_schema_check(out, schemaJson));
    return CheckReport.fromJson(out[0]);
  }

  /** The schema in canonical form (a schema document, as given: JSON text). */
  public static String normalize(String schemaJson) {
    notNull(schemaJson, "schemaJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_schema_normalize(out, schemaJson));
    return out[0];
  }

  /** Validates a CSV or JSON Lines file with the default options (at most 1000 errors). */
  public static ValidationReport validate(Path data, String schemaJson) {
    return validate(data, schemaJson, 1000, null);
  }

  /**
   * Validates a file, streaming.
   *
   * @param limitErrors stop after this many errors (0 = no limit)
   * @param dialectJson Table Dialect ({@code {"delimiter":";","encoding":"gbk"}}) or null
   */
  public static ValidationReport validate(Path data, String schemaJson, long limitErrors, String dialectJson) {
    return validate(data, schemaJson, limitErrors, dialectJson, null);
  }

  /**
   * Validates a file whose foreign keys name other tables ({@code reference.resource}).
   *
   * @param resourcesJson those tables, as a JSON array
   *     {@code [{"name":…,"path":…,"schema":{…}?,"dialect":{…}?,"format":…?}]}; without a
   *     schema a table's columns are found by its header. null: such keys are not checked (a
   *     warning in the report). A key naming a table not in the array is an
   *     {@link InvalidArgumentException}.
   */
  public static ValidationReport validate(Path data, String schemaJson, long limitErrors, String dialectJson,
      String resourcesJson) {
    notNull(data, "data");
    notNull(schemaJson, "schemaJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civj_schema_validate_file(
        out, schemaJson, data.toString(), limitErrors, dialectJson, resourcesJson));
    return ValidationReport.fromJson(out[0]);
  }

  /**
   * Validates every table of a Frictionless Data Package ({@code datapackage.json}; paths
   * relative to its folder and inside it), foreign keys between its tables included: one
   * task per table in the report.
   */
  public static ValidationReport validatePackage(Path datapackage) {
    notNull(datapackage, "datapackage");
    String[] out = new String[1];
    Errors.check(CivitasNative.civj_schema_validate_package(out, datapackage.toString(), 1000));
    return ValidationReport.fromJson(out[0]);
  }

  /** Validates CSV bytes held in memory. */
  public static ValidationReport validate(byte[] csv, String schemaJson, long limitErrors, String dialectJson) {
    notNull(csv, "csv");
    notNull(schemaJson, "schemaJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civj_schema_validate_buffer(out, schemaJson, csv, limitErrors, dialectJson));
    return ValidationReport.fromJson(out[0]);
  }

  /** Validates CSV text (UTF-8). */
  public static ValidationReport validate(String csv, String schemaJson) {
    notNull(csv, "csv");
    return validate(csv.getBytes(StandardCharsets.UTF_8), schemaJson, 1000, null);
  }

  private static void notNull(Object o, String name) {
    if (o == null) {
      throw new InvalidArgumentException(name + " must not be null");
    }
  }
}
