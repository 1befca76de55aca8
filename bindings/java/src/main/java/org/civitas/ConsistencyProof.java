package org.civitas;

import java.util.List;
import java.util.Map;

/**
 * An RFC 9162 consistency proof (docs/formats/proofs.md): the tree of {@code second}
 * entries extends the tree of {@code first} entries. From {@link AuditLog#consistency};
 * travels as JSON. Checked, with the two checkpoints, by
 * {@link AuditLog#checkConsistency(String, String, ConsistencyProof, String)}. Immutable.
 */
public final class ConsistencyProof {
  private final long first;
  private final long second;
  private final List<byte[]> hashes;

  ConsistencyProof(long first, long second, List<byte[]> hashes) {
    this.first = first;
    this.second = second;
    this.hashes = hashes;
  }

  /**
   * Parses proof JSON {"version":1,"first","second","hashes":[hex…]}.
   *
   * @throws ParseException naming what is malformed
   */
  public static ConsistencyProof fromJson(String json) {
    Map<String, Object> o = AuditLog.object(json, "consistency proof");
    AuditLog.requireVersion(o, "consistency proof");
    return new ConsistencyProof(AuditLog.u64(o, "first"), AuditLog.u64(o, "second"), AuditLog.hashes(o, "hashes"));
  }

  /** The proof as JSON (the format of {@code civitas audit consistency --json}). */
  public String toJson() {
    StringBuilder b = new StringBuilder("{\"version\":1,\"first\":").append(first).append(",\"second\":")
        .append(second).append(",\"hashes\":");
    return AuditLog.hexArray(b, hashes).append('}').toString();
  }

  /**
   * Offline check (no workspace): both notes are signed by {@code publicKey} and name the
   * same log, and this proof shows the newer tree extends the older one.
   *
   * @return true when consistent; false when not (a rewritten history or a fork)
   * @throws BadSignatureException, UnknownKeyException, ParseException,
   *     InvalidArgumentException (proof for other sizes)
   */
  public boolean verify(String olderCheckpoint, String newerCheckpoint, String publicKey) {
    try {
      AuditLog.checkConsistency(olderCheckpoint, newerCheckpoint, this, publicKey);
      return true;
    } catch (IntegrityException x) {
      return false;
    }
  }

  public long getFirst() {
    return first;
  }

  public long getSecond() {
    return second;
  }

  /** The proof hashes, in RFC 9162 order (copies). */
  public List<byte[]> getHashes() {
    return AuditLog.copies(hashes);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
