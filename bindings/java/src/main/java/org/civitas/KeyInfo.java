package org.civitas;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A key of this workspace's keyring, without its secret ({@link Workspace#keys()}): id,
 * purpose, algorithm, creation time, status and, for signing and exchange keys, the public
 * key. Immutable. {@link #toJson()} is the element of the C API's {@code civ_keys_list} array.
 */
public final class KeyInfo {
  private static final String WHAT = "key";
  private final String json;
  private final String id;
  private final Workspace.Purpose purpose;
  private final String algorithm;
  private final long created;
  private final KeyStatus status;
  private final byte[] publicKey;

  private KeyInfo(String json, Map<String, Object> o) {
    this.json = json;
    this.id = JsonDoc.str(o, "id", WHAT);
    this.purpose = Workspace.Purpose.fromName(JsonDoc.str(o, "purpose", WHAT));
    this.algorithm = JsonDoc.str(o, "algorithm", WHAT);
    this.created = JsonDoc.lng(o, "created", 0, WHAT);
    this.status = KeyStatus.fromName(JsonDoc.str(o, "status", WHAT));
    this.publicKey = JsonDoc.base64(o, "public_key", WHAT);
  }

  /**
   * Reads one key object of the C API ({"id", "purpose", "algorithm", "created", "status",
   * "public_key"?}).
   *
   * @throws ParseException when it is not such an object
   */
  public static KeyInfo fromJson(String json) {
    return new KeyInfo(json, JsonDoc.object(json, WHAT));
  }

  /** Reads the C API's JSON array of keys. */
  static List<KeyInfo> listFromJson(String json) {
    List<KeyInfo> out = new ArrayList<>();
    for (Object o : JsonDoc.array(json, "keys")) {
      out.add(new KeyInfo(JsonDoc.write(o), JsonDoc.object(o, WHAT)));
    }
    return Collections.unmodifiableList(out);
  }

  /** The key id: 16 hex digits. */
  public String getId() {
    return id;
  }

  /** What the key is for. */
  public Workspace.Purpose getPurpose() {
    return purpose;
  }

  /** The algorithm, e.g. "xchacha20poly1305", "aes256siv", "ed25519", "x25519". */
  public String getAlgorithm() {
    return algorithm;
  }

  /** Creation time in seconds since 1970 (UTC). */
  public long getCreatedSeconds() {
    return created;
  }

  /** Creation time. */
  public Instant getCreated() {
    return Instant.ofEpochSecond(created);
  }

  /** Primary, active, retired or destroyed. */
  public KeyStatus getStatus() {
    return status;
  }

  /** The public key (signing and exchange keys; a copy), or null for secret-only keys. */
  public byte[] getPublicKey() {
    return JsonDoc.copy(publicKey);
  }

  /** This key as a JSON object of the C API. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyInfo && ((KeyInfo) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "KeyInfo{" + id + " " + purpose + " " + algorithm + " " + status + "}";
  }
}
