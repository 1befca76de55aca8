package org.civitas;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A stored version of a catalog entry in a workspace ({@link Catalog#add}, {@link Catalog#list},
 * {@link Catalog#history}): resource code, version number (1, 2, …), when it was stored, its
 * title and the normalised entry. Immutable. {@link #toJson()} is the C API's record
 * {@code {"resourceCode","version","created_ms","title","entry"}}.
 */
public final class CatalogRecord {
  private static final String WHAT = "catalog record";
  private final String json;
  private final String resourceCode;
  private final long version;
  private final long createdMillis;
  private final String title;
  private final CatalogEntry entry;

  private CatalogRecord(String json, Map<String, Object> o) {
    this.json = json;
    this.resourceCode = JsonDoc.str(o, "resourceCode", WHAT);
    this.version = JsonDoc.lng(o, "version", WHAT);
    this.createdMillis = JsonDoc.lng(o, "created_ms", WHAT);
    String t = JsonDoc.optStr(o, "title", WHAT);
    this.title = t == null ? "" : t;
    Map<String, Object> e = JsonDoc.optObject(o, "entry", WHAT);
    if (e == null) {
      throw new ParseException(WHAT + ": \"entry\" must be an object");
    }
    this.entry = CatalogEntry.of(e);
  }

  /**
   * Reads a record (a JSON object of the C API).
   *
   * @throws ParseException when it is not such an object
   */
  public static CatalogRecord fromJson(String json) {
    return new CatalogRecord(json, JsonDoc.object(json, WHAT));
  }

  static List<CatalogRecord> listFromJson(String json) {
    List<CatalogRecord> out = new ArrayList<>();
    for (Object o : JsonDoc.array(json, "catalog records")) {
      out.add(new CatalogRecord(JsonDoc.write(o), JsonDoc.object(o, WHAT)));
    }
    return Collections.unmodifiableList(out);
  }

  /** The entry's resource code. */
  public String getResourceCode() {
    return resourceCode;
  }

  /** The version number, from 1. */
  public long getVersion() {
    return version;
  }

  /** When this version was stored, in milliseconds since 1970 (UTC). */
  public long getCreatedMillis() {
    return createdMillis;
  }

  /** When this version was stored. */
  public Instant getCreated() {
    return Instant.ofEpochMilli(createdMillis);
  }

  /** The entry's title. */
  public String getTitle() {
    return title;
  }

  /** The normalised entry of this version. */
  public CatalogEntry getEntry() {
    return entry;
  }

  /** The record as JSON. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogRecord && ((CatalogRecord) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "CatalogRecord{" + resourceCode + " v" + version + " " + title + "}";
  }
}
