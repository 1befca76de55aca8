package org.civitas;

import java.util.Collections;
import java.util.List;

/**
 * The report of {@link AuditLog#verify}: counts, the recomputed root, and every problem
 * found, each with the index of the entry it concerns when one can be named (docs/audit.md,
 * "Verification"). Immutable.
 */
public final class AuditVerifyResult {
  /** One finding. Kinds: changed, deleted, inserted, reordered, node, checkpoint, signature. */
  public static final class Problem {
    private final String kind;
    private final Long index;
    private final String message;

    Problem(String kind, Long index, String message) {
      this.kind = kind;
      this.index = index;
      this.message = message;
    }

    public String getKind() {
      return kind;
    }

    /** The entry index, or null when none can be named. */
    public Long getIndex() {
      return index;
    }

    public String getMessage() {
      return message;
    }

    @Override
    public String toString() {
      return kind + (index == null ? "" : " @" + index) + ": " + message;
    }
  }

  private static final java.util.Set<String> ENTRY_KINDS = java.util.Set.of("changed", "deleted", "inserted", "reordered");

  private final long entries;
  private final long checkpoints;
  private final byte[] root;
  private final List<Problem> problems;

  AuditVerifyResult(long entries, long checkpoints, byte[] root, List<Problem> problems) {
    this.entries = entries;
    this.checkpoints = checkpoints;
    this.root = root;
    this.problems = Collections.unmodifiableList(problems);
  }

  /** True when everything checks (no problems). */
  public boolean isOk() {
    return problems.isEmpty();
  }

  /** Entries read. */
  public long getEntries() {
    return entries;
  }

  /** Checkpoints checked (stored ones and the one given). */
  public long getCheckpoints() {
    return checkpoints;
  }

  /** The root recomputed from the entries (a copy). */
  public byte[] getRoot() {
    return root.clone();
  }

  public List<Problem> getProblems() {
    return problems;
  }

  /**
   * Where tampering starts: the lowest index named by an entry problem (changed, deleted,
   * inserted, reordered); failing those, the lowest index any problem names ("node" and
   * "checkpoint" problems only bound the range); null if none names one.
   */
  public Long getFirstIndex() {
    Long direct = lowest(true);
    return direct != null ? direct : lowest(false);
  }

  private Long lowest(boolean entryKindsOnly) {
    Long min = null;
    for (Problem p : problems) {
      boolean entryKind = ENTRY_KINDS.contains(p.kind);
      if (p.index != null && (entryKind || !entryKindsOnly) && (min == null || p.index < min)) {
        min = p.index;
      }
    }
    return min;
  }

  @Override
  public String toString() {
    return isOk() ? "ok: " + entries + " entries" : "tampered: " + problems;
  }
}
