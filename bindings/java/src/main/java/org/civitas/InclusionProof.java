package org.civitas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.civ_error_code;

/**
 * An RFC 9162 inclusion proof (docs/formats/proofs.md): entry {@code leafIndex} is leaf
 * {@code leafIndex} of the tree of {@code treeSize} entries, shown by the audit path
 * {@code hashes}. From {@link AuditLog#prove}; travels as JSON ({@link #toJson},
 * {@link #fromJson}). Immutable.
 */
public final class InclusionProof {
  private final long leafIndex;
  private final long treeSize;
  private final byte[] leafHash;
  private final List<byte[]> hashes;

  InclusionProof(long leafIndex, long treeSize, byte[] leafHash, List<byte[]> hashes) {
    this.leafIndex = leafIndex;
    this.treeSize = treeSize;
    this.leafHash = leafHash;
    this.hashes = hashes;
  }

  /**
   * Parses proof JSON {"version":1,"leaf_index","tree_size","leaf_hash","hashes":[hex…]}.
   *
   * @throws ParseException naming what is malformed
   */
  public static InclusionProof fromJson(String json) {
    Map<String, Object> o = AuditLog.object(json, "inclusion proof");
    AuditLog.requireVersion(o, "inclusion proof");
    return new InclusionProof(AuditLog.u64(o, "leaf_index"), AuditLog.u64(o, "tree_size"),
        AuditLog.hash(o.get("leaf_hash"), "leaf_hash"), AuditLog.hashes(o, "hashes"));
  }

  /** The proof as JSON (the format of {@code civitas audit prove --json}). */
  public String toJson() {
    StringBuilder b = new StringBuilder("{\"version\":1,\"leaf_index\":").append(leafIndex)
        .append(",\"tree_size\":").append(treeSize).append(",\"leaf_hash\":\"").append(AuditLog.hex(leafHash))
        .append("\",\"hashes\":");
    return AuditLog.hexArray(b, hashes).append('}').toString();
  }

  /**
   * Offline check (no workspace): the checkpoint note is signed by {@code publicKey}, is for
   * this proof's tree size, and the proof leads from the leaf hash to its root.
   *
   * @return true when it does; false when the proof does not lead to the checkpoint's root
   * @throws BadSignatureException, UnknownKeyException for a checkpoint not signed by the key
   * @throws InvalidArgumentException when the checkpoint is for another tree size
   * @throws ParseException for a malformed note or key
   */
  public boolean verify(String checkpoint, String publicKey) {
    Errors.requireArg(checkpoint, "checkpoint");
    Errors.requireArg(publicKey, "publicKey");
    int rc = CivitasNative.civ_audit_verify_inclusion(toJson(), checkpoint, publicKey);
    if (rc == civ_error_code.CIV_EINTEGRITY) {
      return false;
    }
    Errors.check(rc);
    return true;
  }

  /** As {@link #verify(String, String)}, and the proof's leaf hash is that of {@code entry}. */
  public boolean verify(AuditEntry entry, String checkpoint, String publicKey) {
    Errors.requireArg(entry, "entry");
    return java.util.Arrays.equals(entry.getLeafHash(), leafHash) && entry.getIndex() == leafIndex
        && verify(checkpoint, publicKey);
  }

  public long getLeafIndex() {
    return leafIndex;
  }

  public long getTreeSize() {
    return treeSize;
  }

  /** The leaf hash (a copy). */
  public byte[] getLeafHash() {
    return leafHash.clone();
  }

  /** The audit path, in RFC 9162 order (copies). */
  public List<byte[]> getHashes() {
    return AuditLog.copies(hashes);
  }

  /** A copy with one hash of the path replaced (for tests of rejection). */
  InclusionProof withHash(int i, byte[] h) {
    List<byte[]> hs = new ArrayList<>(hashes);
    hs.set(i, h.clone());
    return new InclusionProof(leafIndex, treeSize, leafHash, hs);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
