package org.civitas;

/**
 * The body of a verified checkpoint note (docs/formats/checkpoint.md): the log's origin,
 * its tree size and root hash, and the note text itself. From
 * {@link AuditLog#openCheckpoint(String, String)}. Immutable.
 */
public final class AuditCheckpoint {
  private final String origin;
  private final long size;
  private final byte[] root;
  private final String note;

  AuditCheckpoint(String origin, long size, byte[] root, String note) {
    this.origin = origin;
    this.size = size;
    this.root = root;
    this.note = note;
  }

  /** The log's name, e.g. "civitas/audit/91350100M000100Y43". */
  public String getOrigin() {
    return origin;
  }

  /** The tree size (number of entries) it commits to. */
  public long getSize() {
    return size;
  }

  /** The root hash, 32 bytes (a copy). */
  public byte[] getRoot() {
    return root.clone();
  }

  /** The signed note text. */
  public String getNote() {
    return note;
  }

  @Override
  public String toString() {
    return "AuditCheckpoint{" + origin + ", " + size + ", " + AuditLog.hex(root) + "}";
  }
}
