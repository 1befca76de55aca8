package org.civitas;

import java.util.Map;

/**
 * The signed envelope inside a package (docs/formats/package.md): who provides it to whom,
 * with which sequence numbers, for which catalog resource, purpose and approval, and the
 * request it answers. Part of a {@link PackageSummary} when the package was written or opened
 * (not from verify). Immutable.
 */
public final class PackageEnvelope {
  private static final String WHAT = "package envelope";
  private final String json;
  private final String packageId;
  private final String provider;
  private final java.util.List<String> consumers;
  private final Map<String, Long> sequences;
  private final String catalog;
  private final String purpose;
  private final String approval;
  private final String created;
  private final String requestHash;

  private PackageEnvelope(String json, Map<String, Object> o) {
    this.json = json;
    this.packageId = JsonDoc.str(o, "package_id", WHAT);
    this.provider = JsonDoc.str(o, "provider", WHAT);
    this.consumers = JsonDoc.strings(o, "consumers", WHAT);
    this.sequences = JsonDoc.longs(o, "sequences", WHAT);
    this.catalog = orEmpty(JsonDoc.optStr(o, "catalog", WHAT));
    this.purpose = orEmpty(JsonDoc.optStr(o, "purpose", WHAT));
    this.approval = orEmpty(JsonDoc.optStr(o, "approval", WHAT));
    this.created = orEmpty(JsonDoc.optStr(o, "created", WHAT));
    this.requestHash = JsonDoc.optStr(o, "request_hash", WHAT);
  }

  static PackageEnvelope of(Map<String, Object> o) {
    return new PackageEnvelope(JsonDoc.write(o), o);
  }

  /**
   * Reads an envelope document.
   *
   * @throws ParseException when it is not such a document
   */
  public static PackageEnvelope fromJson(String json) {
    return new PackageEnvelope(json, JsonDoc.object(json, WHAT));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The package id (equal to the header's). */
  public String getPackageId() {
    return packageId;
  }

  /** The provider department's USCC. */
  public String getProvider() {
    return provider;
  }

  /** The consumer departments' USCCs. */
  public java.util.List<String> getConsumers() {
    return consumers;
  }

  /** Sequence number per consumer USCC (unmodifiable). */
  public Map<String, Long> getSequences() {
    return sequences;
  }

  /** Catalog resource code, or "". */
  public String getCatalog() {
    return catalog;
  }

  /** Purpose of use, or "". */
  public String getPurpose() {
    return purpose;
  }

  /** Approval reference, or "". */
  public String getApproval() {
    return approval;
  }

  /** Creation time as ISO 8601 UTC text. */
  public String getCreated() {
    return created;
  }

  /** Hash of the request this package answers ("sha256:…"), or null. */
  public String getRequestHash() {
    return requestHash;
  }

  /** The envelope document. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackageEnvelope && ((PackageEnvelope) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "PackageEnvelope{" + packageId + " " + provider + " -> " + consumers + "}";
  }
}
