package org.civitas;

import java.util.List;
import org.civitas.internal.CivitasNative;

/**
 * Catalog entries (政务信息资源目录, docs/formats/catalog-entry.md): checks against the
 * guideline's rules ({@link CheckReport}), lossless export to / import from a Frictionless
 * Data Package, DCAT 3 / DCAT-AP 3 JSON-LD or a CKAN package, and versioned storage in a
 * {@link Workspace} ({@link #add}, {@link #get}, {@link #list}, {@link #history}).
 *
 * <p>Entries go in as JSON text or a {@link CatalogEntry} and come back as
 * {@link CatalogEntry}; stored versions are {@link CatalogRecord}s. {@link #export} returns
 * the document of the other format (JSON text: that is its purpose). All methods are
 * thread-safe.
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

  /** Every broken rule of an entry; the resource code when it is valid. Malformed JSON is a report too. */
  public static CheckReport check(String entryJson) {
    notNull(entryJson, "entryJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_catalog_check(out, entryJson));
    return CheckReport.fromJson(out[0]);
  }

  /** As {@link #check(String)}. */
  public static CheckReport check(CatalogEntry entry) {
    return check(json(entry));
  }

  /** As {@link #export(String, Format)}. */
  public static String export(CatalogEntry entry, Format format) {
    return export(json(entry), format);
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
  public static CatalogEntry importEntry(String documentJson, Format format) {
    notNull(documentJson, "documentJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_catalog_import(out, documentJson, format == null ? 0 : format.code));
    return CatalogEntry.fromJson(out[0]);
  }

  /**
   * Validates and normalises an entry and stores it in the workspace as the next version of
   * its resource code (an entry equal to the latest version is not stored again).
   *
   * @return the version record
   * @throws InvalidDataException naming the first broken rule; ParseException for bad JSON
   */
  public static CatalogRecord add(Workspace workspace, String entryJson) {
    notNull(workspace, "workspace");
    notNull(entryJson, "entryJson");
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_catalog_add(out, p, entryJson)));
    return CatalogRecord.fromJson(out[0]);
  }

  /** As {@link #add(Workspace, String)}. */
  public static CatalogRecord add(Workspace workspace, CatalogEntry entry) {
    return add(workspace, json(entry));
  }

  /** The latest stored version of an entry (normalised); NotFoundException if none. */
  public static CatalogEntry get(Workspace workspace, String resourceCode) {
    return get(workspace, resourceCode, 0);
  }

  /**
   * A stored version (1, 2, …; 0 = latest) of an entry.
   *
   * @throws NotFoundException when there is no such entry or version
   */
  public static CatalogEntry get(Workspace workspace, String resourceCode, int version) {
    notNull(workspace, "workspace");
    notNull(resourceCode, "resourceCode");
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_catalog_get(out, p, resourceCode, version)));
    return CatalogEntry.fromJson(out[0]);
  }

  /** The latest version record of every stored entry, by resource code (unmodifiable). */
  public static List<CatalogRecord> list(Workspace workspace) {
    notNull(workspace, "workspace");
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_catalog_list(out, p)));
    return CatalogRecord.listFromJson(out[0]);
  }

  /**
   * Every version record of one entry, oldest first (unmodifiable).
   *
   * @throws NotFoundException when there is no entry with that resource code
   */
  public static List<CatalogRecord> history(Workspace workspace, String resourceCode) {
    notNull(workspace, "workspace");
    notNull(resourceCode, "resourceCode");
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_catalog_history(out, p, resourceCode)));
    return CatalogRecord.listFromJson(out[0]);
  }

  private static String json(CatalogEntry entry) {
    notNull(entry, "entry");
    return entry.toJson();
  }

  private static void notNull(Object o, String name) {
    if (o == null) {
      throw new InvalidArgumentException(name + " must not be null");
    }
  }
}
