package org.civitas;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A public key of another department in the peer directory ({@link Workspace#peers}),
 * imported from its {@link Workspace#exportPublic()} document. Immutable. {@link #toJson()}
 * is the element of the C API's {@code civ_keys_peers} array.
 */
public final class PeerKey {
  private static final String WHAT = "peer key";
  private final String json;
  private final String department;
  private final String name;
  private final String keyId;
  private final Workspace.Purpose purpose;
  private final String algorithm;
  private final byte[] publicKey;
  private final String status;
  private final long imported;
  private final long revoked;

  private PeerKey(String json, Map<String, Object> o) {
    this.json = json;
    this.department = JsonDoc.str(o, "department", WHAT);
    this.name = JsonDoc.optStr(o, "name", WHAT);
    this.keyId = JsonDoc.str(o, "key_id", WHAT);
    this.purpose = Workspace.Purpose.fromName(JsonDoc.str(o, "purpose", WHAT));
    this.algorithm = JsonDoc.str(o, "algorithm", WHAT);
    byte[] pk = JsonDoc.base64(o, "public_key", WHAT);
    if (pk == null) {
      throw new ParseException(WHAT + ": \"public_key\" must be a string");
    }
    this.publicKey = pk;
    this.status = JsonDoc.optStr(o, "status", WHAT);
    this.imported = JsonDoc.lng(o, "imported", 0, WHAT);
    this.revoked = JsonDoc.lng(o, "revoked", 0, WHAT);
  }

  /**
   * Reads one peer-key object of the C API ({"department", "name", "key_id", "purpose",
   * "algorithm", "public_key", "status", "imported"}).
   *
   * @throws ParseException when it is not such an object
   */
  public static PeerKey fromJson(String json) {
    return new PeerKey(json, JsonDoc.object(json, WHAT));
  }

  static List<PeerKey> listFromJson(String json) {
    List<PeerKey> out = new ArrayList<>();
    for (Object o : JsonDoc.array(json, "peers")) {
      out.add(new PeerKey(JsonDoc.write(o), JsonDoc.object(o, WHAT)));
    }
    return Collections.unmodifiableList(out);
  }

  /** The department's USCC. */
  public String getDepartment() {
    return department;
  }

  /** The department's name as its document gives it ("" if none). */
  public String getName() {
    return name == null ? "" : name;
  }

  /** The key id: 16 hex digits. */
  public String getKeyId() {
    return keyId;
  }

  /** {@link Workspace.Purpose#SIGNING} or {@link Workspace.Purpose#EXCHANGE}. */
  public Workspace.Purpose getPurpose() {
    return purpose;
  }

  /** "ed25519" or "x25519". */
  public String getAlgorithm() {
    return algorithm;
  }

  /** The public key (a copy). */
  public byte[] getPublicKey() {
    return publicKey.clone();
  }

  /**
   * The key's status: "primary", "active" or "retired" as the department's document lists it,
   * or "superseded" / "compromised" once a later document revoked it ("" if none).
   */
  public String getStatus() {
    return status == null ? "" : status;
  }

  /** When it was imported, in seconds since 1970 (UTC). */
  public long getImportedSeconds() {
    return imported;
  }

  /** When it was imported. */
  public Instant getImported() {
    return Instant.ofEpochSecond(imported);
  }

  /**
   * For a superseded key: packages whose signed time is at or after this (seconds since
   * 1970) are refused; 0 otherwise.
   */
  public long getRevokedSeconds() {
    return revoked;
  }

  /** This key as a JSON object of the C API. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerKey && ((PeerKey) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "PeerKey{" + department + " " + keyId + " " + purpose + "}";
  }
}
