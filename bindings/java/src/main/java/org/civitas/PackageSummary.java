package org.civitas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What writing, verifying or opening a package found ({@link Packages#create},
 * {@link Packages#verify}, {@link Packages#open}, {@link PackageWriter#finish()},
 * {@link PackageReader#finish()}): the header, sizes and, except for verify, the envelope and
 * the data package descriptor. Immutable; {@link #toJson()} is the summary document of the
 * C API ({@code civitas package … --json}).
 */
public final class PackageSummary {
  private static final String WHAT = "package summary";
  private final String json;
  private final PackageHeader header;
  private final long packageBytes;
  private final long payloadBytes;
  private final long chunks;
  private final long contentBytes;
  private final PackageEnvelope envelope;
  private final String datapackage;
  private final List<String> resourceNames;

  private PackageSummary(String json, Map<String, Object> o) {
    this.json = json;
    Map<String, Object> h = JsonDoc.optObject(o, "header", WHAT);
    if (h == null) {
      throw new ParseException(WHAT + ": \"header\" must be an object");
    }
    this.header = PackageHeader.of(h);
    this.packageBytes = JsonDoc.lng(o, "package_bytes", 0, WHAT);
    this.payloadBytes = JsonDoc.lng(o, "payload_bytes", 0, WHAT);
    this.chunks = JsonDoc.lng(o, "chunks", 0, WHAT);
    this.contentBytes = JsonDoc.lng(o, "content_bytes", 0, WHAT);
    Map<String, Object> e = JsonDoc.optObject(o, "envelope", WHAT);
    this.envelope = e == null ? null : PackageEnvelope.of(e);
    Map<String, Object> dp = JsonDoc.optObject(o, "datapackage", WHAT);
    this.datapackage = JsonDoc.write(dp);
    List<String> names = new ArrayList<>();
    if (dp != null) {
      for (Map<String, Object> r : JsonDoc.objects(dp, "resources", WHAT + ": datapackage")) {
        names.add(JsonDoc.str(r, "name", WHAT + ": datapackage resource"));
      }
    }
    this.resourceNames = Collections.unmodifiableList(names);
  }

  /**
   * Reads a summary document of the C API.
   *
   * @throws ParseException when it is not such a document
   */
  public static PackageSummary fromJson(String json) {
    return new PackageSummary(json, JsonDoc.object(json, WHAT));
  }

  /** The package's public header. */
  public PackageHeader getHeader() {
    return header;
  }

  /** The package id (the header's). */
  public String getPackageId() {
    return header.getPackageId();
  }

  /** Size of the package file. */
  public long getPackageBytes() {
    return packageBytes;
  }

  /** Ciphertext bytes. */
  public long getPayloadBytes() {
    return payloadBytes;
  }

  /** Number of encrypted chunks. */
  public long getChunks() {
    return chunks;
  }

  /**
   * Uncompressed plaintext content bytes: the resources' data plus the package's own framing
   * and datapackage.json (0 when not known, e.g. after verify).
   */
  public long getContentBytes() {
    return contentBytes;
  }

  /** The signed envelope, or null (verify reads no envelope: it decrypts nothing). */
  public PackageEnvelope getEnvelope() {
    return envelope;
  }

  /**
   * The Frictionless Data Package descriptor ({@code datapackage.json}: resources, their paths,
   * hashes and table schemas) as JSON text, or null after verify. It is a standard document for
   * data-package tools, so it is given as such.
   */
  public String getDatapackageJson() {
    return datapackage;
  }

  /** Names of the package's resources, in order (empty after verify). */
  public List<String> getResourceNames() {
    return resourceNames;
  }

  /** The summary document. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackageSummary && ((PackageSummary) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "PackageSummary{" + header.getPackageId() + " " + packageBytes + " bytes, " + chunks + " chunks}";
  }
}
