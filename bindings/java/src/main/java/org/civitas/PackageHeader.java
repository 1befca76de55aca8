package org.civitas;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The public header of a package (docs/formats/package.md): id, format version, creation time,
 * provider and its signing key, the recipients (consumer department, exchange key id,
 * sequence number) and the payload parameters. From {@link Packages#inspect} (readable without
 * a key and <b>not verified</b> there) and {@link PackageSummary#getHeader()}. Immutable;
 * {@link #toJson()} is the header document of the C API.
 */
public final class PackageHeader {
  private static final String WHAT = "package header";

  /** A consumer the package is encrypted to. */
  public static final class Recipient {
    private final String department;
    private final String keyId;
    private final long sequence;

    Recipient(Map<String, Object> o) {
      this.department = JsonDoc.str(o, "department", WHAT);
      this.keyId = JsonDoc.str(o, "key_id", WHAT);
      this.sequence = JsonDoc.lng(o, "sequence", 0, WHAT);
    }

    /** The consumer department's USCC. */
    public String getDepartment() {
      return department;
    }

    /** Id of the consumer's exchange key the file key is sealed to (16 hex digits). */
    public String getKeyId() {
      return keyId;
    }

    /** The provider's sequence number for this consumer (replay protection). */
    public long getSequence() {
      return sequence;
    }

    @Override
    public String toString() {
      return department + "#" + sequence;
    }
  }

  private final String json;
  private final String format;
  private final long version;
  private final String packageId;
  private final long created;
  private final String provider;
  private final String providerKeyId;
  private final List<Recipient> recipients;
  private final String compression;
  private final String cipher;
  private final long chunkSize;
  private final long headerBytes;

  private PackageHeader(String json, Map<String, Object> o) {
    this.json = json;
    this.format = JsonDoc.str(o, "format", WHAT);
    this.version = JsonDoc.lng(o, "version", WHAT);
    this.packageId = JsonDoc.str(o, "package_id", WHAT);
    this.created = JsonDoc.lng(o, "created", 0, WHAT);
    Map<String, Object> p = JsonDoc.optObject(o, "provider", WHAT);
    if (p == null) {
      throw new ParseException(WHAT + ": \"provider\" must be an object");
    }
    this.provider = JsonDoc.str(p, "department", WHAT);
    this.providerKeyId = JsonDoc.str(p, "key_id", WHAT);
    List<Recipient> rs = new ArrayList<>();
    for (Map<String, Object> r : JsonDoc.objects(o, "recipients", WHAT)) {
      rs.add(new Recipient(r));
    }
    this.recipients = Collections.unmodifiableList(rs);
    Map<String, Object> pl = JsonDoc.optObject(o, "payload", WHAT);
    if (pl == null) {
      pl = Collections.emptyMap();
    }
    this.compression = orEmpty(JsonDoc.optStr(pl, "compression", WHAT));
    this.cipher = orEmpty(JsonDoc.optStr(pl, "cipher", WHAT));
    this.chunkSize = JsonDoc.lng(pl, "chunk_size", 0, WHAT);
    this.headerBytes = JsonDoc.lng(o, "header_bytes", 0, WHAT);
  }

  static PackageHeader of(Map<String, Object> o) {
    return new PackageHeader(JsonDoc.write(o), o);
  }

  /**
   * Reads a header document of the C API ({@code civ_package_inspect}).
   *
   * @throws ParseException when it is not such a document
   */
  public static PackageHeader fromJson(String json) {
    return new PackageHeader(json, JsonDoc.object(json, WHAT));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** "civitas-package". */
  public String getFormat() {
    return format;
  }

  /** The package format version. */
  public long getVersion() {
    return version;
  }

  /** The package id (random, unique per package). */
  public String getPackageId() {
    return packageId;
  }

  /** Creation time in seconds since 1970 (UTC). */
  public long getCreatedSeconds() {
    return created;
  }

  /** Creation time. */
  public Instant getCreated() {
    return Instant.ofEpochSecond(created);
  }

  /** The provider department's USCC. */
  public String getProvider() {
    return provider;
  }

  /** Id of the provider's signing key (16 hex digits). */
  public String getProviderKeyId() {
    return providerKeyId;
  }

  /** The consumers, in header order (unmodifiable). */
  public List<Recipient> getRecipients() {
    return recipients;
  }

  /** The consumers' USCCs, in header order. */
  public List<String> getConsumers() {
    List<String> out = new ArrayList<>(recipients.size());
    for (Recipient r : recipients) {
      out.add(r.getDepartment());
    }
    return Collections.unmodifiableList(out);
  }

  /** Payload compression ("zstd"). */
  public String getCompression() {
    return compression;
  }

  /** Payload cipher ("xchacha20poly1305-secretstream"). */
  public String getCipher() {
    return cipher;
  }

  /** Plaintext bytes per encrypted chunk. */
  public long getChunkSize() {
    return chunkSize;
  }

  /** Bytes of the preamble, header JSON and header signature. */
  public long getHeaderBytes() {
    return headerBytes;
  }

  /** The header document. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackageHeader && ((PackageHeader) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "PackageHeader{" + packageId + " from " + provider + " to " + getConsumers() + "}";
  }
}
