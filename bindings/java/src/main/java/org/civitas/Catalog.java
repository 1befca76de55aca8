package org.civitas;

import org.civitas.internal.CivitasNative;

/**
 * Catalog entries (政务信息资源目录) as JSON strings (docs/formats/catalog-entry.md): checks
 * against the guideline's rules, and lossless export to / import from a Frictionless Data
 * Package, DCAT 3 / DCAT-AP 3 JSON-LD or a CKAN package. All methods are thread-safe.
 */
public final class Catalog {
  private Catalog() {}

  /** Export formats. */
  public enum Format {
    DATAPACKAGE(1), DCAT(2), CKAN(3);
    final int code;
    Format(int code) {
      this.code = code;
    }
  }

  /** {@code {"version":1,"valid":…,"resourceCode":…,"problems":[…]}}. */
  public static String check(String entryJson) {
    notNull(entryJson, "entryJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_catalog_check(out, entryJson));
    return out[0];
  }

  /** The entry as a document of the format; {@link InvalidDataException} for an invalid entry. */
  public static String export(String entryJson, Format format) {
    notNull(entryJson, "entryJson");
    notNull(format, "format");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_catalog_export(out, entryJson, format.code));
    return out[0];
  }

  /** The normalised entry a document describes (format detected when null). */
  public static String importEntry(String documentJson, Format format) {
    notNull(documentJson, "documentJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_catalog_import(out, documentJson, format == null ? 0 : format.code));
    return out[0];
  }

  private static void notNull(Object o, String name) {
    if (o == null) {
      throw new InvalidArgumentException(name + " must not be null");
    }
  }
}
