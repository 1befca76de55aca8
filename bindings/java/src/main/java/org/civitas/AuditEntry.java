package org.civitas;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;

/**
 * One audit log entry (docs/formats/audit-entry.md): its index, time, actor, action,
 * resource, purpose, outcome and details, with its canonical bytes and leaf hash. Immutable;
 * the byte-array getters return copies.
 */
public final class AuditEntry {
  private final long index;
  private final long timeMillis;
  private final String actorDept;
  private final String actorUser;
  private final String action;
  private final String resource;
  private final String purpose;
  private final String outcome;
  private final String detailsJson;
  private final byte[] bytes;
  private final byte[] leafHash;

  private AuditEntry(long index, long timeMillis, String[] f, byte[] bytes, byte[] leafHash) {
    this.index = index;
    this.timeMillis = timeMillis;
    this.actorDept = f[0];
    this.actorUser = f[1];
    this.action = f[2];
    this.resource = f[3];
    this.purpose = f[4];
    this.outcome = f[5];
    this.detailsJson = f[6];
    this.bytes = bytes;
    this.leafHash = leafHash;
  }

  /**
   * Decodes canonical entry bytes (version 1) and computes their leaf hash
   * SHA-256(0x00 ‖ bytes). Pure Java, no workspace.
   *
   * @throws ParseException for bytes that are not a version-1 entry (with the byte offset)
   */
  public static AuditEntry decode(byte[] entry) {
    Errors.requireArg(entry, "entry");
    ByteBuffer b = ByteBuffer.wrap(entry);
    if (entry.length < 17) {
      throw new ParseException("audit entry: truncated header (" + entry.length + " bytes)");
    }
    if (b.get() != 1) {
      throw new ParseException("audit entry: unsupported version " + (entry[0] & 0xff) + " at offset 0");
    }
    long index = b.getLong();
    long time = b.getLong();
    String[] f = new String[7];
    for (int i = 0; i < 7; i++) {
      int at = b.position();
      if (b.remaining() < 4) {
        throw new ParseException("audit entry: truncated field length at offset " + at);
      }
      long n = b.getInt() & 0xffffffffL;
      if (n > b.remaining()) {
        throw new ParseException("audit entry: field of " + n + " bytes past the end at offset " + at);
      }
      byte[] t = new byte[(int) n];
      b.get(t);
      try {
        f[i] = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(t)).toString();
      } catch (CharacterCodingException x) {
        throw new ParseException("audit entry: invalid UTF-8 in the field at offset " + at);
      }
    }
    if (b.hasRemaining()) {
      throw new ParseException("audit entry: " + b.remaining() + " bytes after the details at offset " + b.position());
    }
    byte[] copy = entry.clone();
    return new AuditEntry(index, time, f, copy, leafHash(copy));
  }

  /** SHA-256(0x00 ‖ entry): the Merkle leaf hash of canonical entry bytes (RFC 9162). */
  public static byte[] leafHash(byte[] entry) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update((byte) 0);
      d.update(Errors.requireArg(entry, "entry"));
      return d.digest();
    } catch (NoSuchAlgorithmException x) {
      throw new IllegalStateException("SHA-256 is not available", x);
    }
  }

  /** The position in the log (leaf index), 0-based. */
  public long getIndex() {
    return index;
  }

  /** UTC milliseconds since the epoch. */
  public long getTimeMillis() {
    return timeMillis;
  }

  /** The time as an Instant. */
  public Instant getTime() {
    return Instant.ofEpochMilli(timeMillis);
  }

  /** "dept:user", or "dept" when the user is empty. */
  public String getActor() {
    return actorUser.isEmpty() ? actorDept : actorDept + ":" + actorUser;
  }

  /** The acting department's USCC (empty only for a workspace without a department). */
  public String getActorDept() {
    return actorDept;
  }

  /** The user within the department; may be empty. */
  public String getActorUser() {
    return actorUser;
  }

  public String getAction() {
    return action;
  }

  public String getResource() {
    return resource;
  }

  public String getPurpose() {
    return purpose;
  }

  public String getOutcome() {
    return outcome;
  }

  /** The details object as canonical JSON text (keys sorted, no whitespace). */
  public String getDetailsJson() {
    return detailsJson;
  }

  /** The canonical bytes (a copy). */
  public byte[] getBytes() {
    return bytes.clone();
  }

  /** The leaf hash, 32 bytes (a copy). */
  public byte[] getLeafHash() {
    return leafHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuditEntry && Arrays.equals(bytes, ((AuditEntry) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(leafHash);
  }

  @Override
  public String toString() {
    return "AuditEntry{" + index + ", " + getTime() + ", " + getActor() + ", " + action + ", " + resource + "}";
  }
}
