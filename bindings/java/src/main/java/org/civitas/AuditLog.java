package org.civitas;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.Json;
import org.civitas.internal.civ_error_code;

/**
 * The tamper-evident audit log of a {@link Workspace} (C: civitas/audit.h; docs/audit.md):
 * an RFC 9162 Merkle tree over canonical entries, with C2SP signed-note checkpoints signed by
 * the workspace's checkpoint key (a key that signs nothing else), inclusion and consistency proofs, and full verification.
 *
 * <pre>{@code
 * AuditLog log = new AuditLog(ws);
 * long i = log.append(new AuditLog.Event("91350100M000100Y43:alice", "data.read").resource("110000-000001"));
 * List<AuditEntry> reads = log.query(new AuditLog.Filter().action("data.read"));
 * String note = log.checkpoint();                    // signed checkpoint note
 * String key = log.publicKey();                      // note verifier key line
 * InclusionProof p = log.prove(i, 0);
 * p.verify(note, key);                               // true (offline: no workspace needed)
 * AuditVerifyResult r = log.verify(null);            // r.isOk(), r.getFirstIndex()
 * }</pre>
 *
 * <p>The static methods ({@link #openCheckpoint}, {@link #checkConsistency}) and the proofs'
 * {@code verify} need no workspace: anyone with the public key checks a log, and departments
 * witness each other's logs with {@link #checkConsistency}. Tampered entries are never
 * returned as data ({@link IntegrityException} naming the index). An AuditLog is as
 * thread-safe as its Workspace and is usable while the Workspace is open.
 */
public final class AuditLog {
  /** An event to append. Action is required; the rest may be left unset. */
  public static final class Event {
    final String actor;
    final String action;
    String resource;
    String purpose;
    String outcome;
    String detailsJson;

    /**
     * @param actor  "&lt;department USCC&gt;" or "&lt;department USCC&gt;:&lt;user id&gt;"
     * @param action non-empty, e.g. "data.read"
     */
    public Event(String actor, String action) {
      this.actor = Errors.requireArg(actor, "actor");
      this.action = Errors.requireArg(action, "action");
    }

    /** Catalog resource code or package id. */
    public Event resource(String resource) {
      this.resource = resource;
      return this;
    }

    public Event purpose(String purpose) {
      this.purpose = purpose;
      return this;
    }

    /** "ok" when unset; e.g. "denied", "error". */
    public Event outcome(String outcome) {
      this.outcome = outcome;
      return this;
    }

    /** A JSON object (integers only; canonicalised when appended). */
    public Event details(String json) {
      this.detailsJson = json;
      return this;
    }

    void appendJsonLine(StringBuilder b) {
      b.append("{\"actor\":");
      Json.quote(b, actor).append(",\"action\":");
      Json.quote(b, action);
      member(b, "resource", resource);
      member(b, "purpose", purpose);
      member(b, "outcome", outcome);
      // details as a JSON string (which the C API parses as the object): nothing in it can
      // change the line's other members.
      member(b, "details", detailsJson == null || detailsJson.isEmpty() ? null : detailsJson);
      b.append("}\n");
    }

    private static void member(StringBuilder b, String k, String v) {
      if (v != null) {
        b.append(",\"").append(k).append("\":");
        Json.quote(b, v);
      }
    }
  }

  /** Which entries {@link #query} returns; unset criteria match everything. */
  public static final class Filter {
    private final StringBuilder json = new StringBuilder();

    private Filter put(String k, Object v) {
      json.append(json.length() == 0 ? "{" : ",").append('"').append(k).append("\":");
      if (v instanceof String) {
        Json.quote(json, (String) v);
      } else {
        json.append(v);
      }
      return this;
    }

    /** Entries with time ≥ sinceMillis (UTC milliseconds since the epoch). */
    public Filter since(long sinceMillis) {
      return put("since_ms", sinceMillis);
    }

    /** Entries with time &lt; untilMillis. */
    public Filter until(long untilMillis) {
      return put("until_ms", untilMillis);
    }

    /** "USCC" for the whole department, "USCC:user" for one user. */
    public Filter actor(String actor) {
      return put("actor", Errors.requireArg(actor, "actor"));
    }

    public Filter action(String action) {
      return put("action", Errors.requireArg(action, "action"));
    }

    public Filter resource(String resource) {
      return put("resource", Errors.requireArg(resource, "resource"));
    }

    /** Entries from this index on. */
    public Filter from(long index) {
      return put("from", nonNegative(index, "from"));
    }

    /** At most this many entries (0 = no limit). */
    public Filter limit(long n) {
      return put("limit", nonNegative(n, "limit"));
    }

    String toJson() {
      return json.length() == 0 ? null : json + "}";
    }
  }

  private final Workspace ws;

  /** The log of an open workspace. */
  public AuditLog(Workspace ws) {
    this.ws = Errors.requireArg(ws, "workspace");
  }

  // ---- appending and reading ------------------------------------------------------------

  /** Appends one event in its own transaction (committed when this returns); its index. */
  public long append(Event event) {
    Errors.requireArg(event, "event");
    if (event.outcome != null && !event.outcome.equals("ok")) {
      return appendBatch(List.of(event)); // civ_audit_append has no outcome parameter
    }
    long[] out = new long[1];
    Errors.check(ws.call(p -> CivitasNative.civj_audit_append(out, p, event.actor, event.action, event.resource,
        event.purpose, event.detailsJson)));
    return out[0];
  }

  /**
   * Appends events in one transaction, all or nothing; returns the index of the first (the
   * others follow in order).
   *
   * @throws InvalidArgumentException, ParseException naming the event (line) at fault
   */
  public long appendBatch(List<Event> events) {
    Errors.requireArg(events, "events");
    if (events.isEmpty()) {
      throw new InvalidArgumentException("events: nothing to append");
    }
    StringBuilder b = new StringBuilder(events.size() * 128);
    for (int i = 0; i < events.size(); i++) {
      Errors.requireArg(events.get(i), "events[" + i + "]").appendJsonLine(b);
    }
    String jsonl = b.toString();
    long[] first = new long[1];
    long[] count = new long[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_append_batch(first, count, p, jsonl)));
    return first[0];
  }

  /** The number of entries (the tree size). */
  public long size() {
    long[] out = new long[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_size(out, p)));
    return out[0];
  }

  /**
   * Entries matching the filter (null: all), in index order. Each is checked against the
   * tree first: a tampered entry throws {@link IntegrityException} naming its index.
   */
  public List<AuditEntry> query(Filter filter) {
    String f = filter == null ? null : filter.toJson();
    String[] out = new String[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_log(out, p, f)));
    List<AuditEntry> entries = new ArrayList<>();
    for (String line : out[0].split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      Map<String, Object> o = object(line, "audit entry");
      byte[] bytes = Base64.getDecoder().decode(string(o, "entry"));
      AuditEntry e = AuditEntry.decode(bytes);
      if (e.getIndex() != u64(o, "index")) {
        throw new InternalException("audit entry: index " + o.get("index") + " does not match its bytes");
      }
      entries.add(e);
    }
    return entries;
  }

  /** One entry; {@link NotFoundException} when there is no such index. */
  public AuditEntry get(long index) {
    List<AuditEntry> one = query(new Filter().from(index).limit(1));
    if (one.isEmpty() || one.get(0).getIndex() != index) {
      throw new NotFoundException("audit entry " + index + " does not exist (log size " + size() + ")");
    }
    return one.get(0);
  }

  // ---- checkpoints and proofs -----------------------------------------------------------

  /** The latest signed checkpoint note, signing a new one when the log grew since. */
  public String checkpoint() {
    String[] out = new String[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_checkpoint(out, p)));
    return out[0];
  }

  /** The note verifier key ("name+hash+key") of the checkpoint signing key. */
  public String publicKey() {
    String[] out = new String[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_public_key(out, p)));
    return out[0];
  }

  /** Inclusion proof of entry {@code index} in the tree of {@code size} entries (0 = now). */
  public InclusionProof prove(long index, long size) {
    nonNegative(index, "index");
    nonNegative(size, "size");
    String[] out = new String[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_prove(out, p, index, size)));
    return InclusionProof.fromJson(out[0]);
  }

  /** Consistency proof from the tree of {@code first} entries to that of {@code second} (0 = now). */
  public ConsistencyProof consistency(long first, long second) {
    nonNegative(first, "first");
    nonNegative(second, "second");
    String[] out = new String[1];
    Errors.check(ws.call(p -> CivitasNative.civ_audit_consistency(out, p, first, second)));
    return ConsistencyProof.fromJson(out[0]);
  }

  // ---- verification ---------------------------------------------------------------------

  /**
   * Full verification: recomputes every leaf and node from the entries and checks every
   * stored checkpoint, and {@code checkpoint} (a note given out earlier; may be null).
   * Tampering is reported in the result, not thrown.
   */
  public AuditVerifyResult verify(String checkpoint) {
    String[] out = new String[1];
    int rc = ws.call(p -> CivitasNative.civ_audit_verify(out, p, checkpoint));
    if (rc != civ_error_code.CIV_EINTEGRITY || out[0] == null) {
      Errors.check(rc);
    }
    Map<String, Object> o = object(out[0], "verify report");
    List<AuditVerifyResult.Problem> ps = new ArrayList<>();
    Object list = o.get("problems");
    if (list instanceof List) {
      for (Object x : (List<?>) list) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) x;
        Object idx = m.get("index");
        ps.add(new AuditVerifyResult.Problem(string(m, "kind"), idx == null ? null : u64(m, "index"),
            string(m, "message")));
      }
    }
    return new AuditVerifyResult(u64(o, "entries"), u64(o, "checkpoints"), hash(o.get("root"), "root"), ps);
  }

  /**
   * Verifies a checkpoint note's signature with a verifier key (no workspace) and returns
   * its body.
   *
   * @throws UnknownKeyException no signature by this key; BadSignatureException one that
   *     does not verify; ParseException malformed note or key
   */
  public static AuditCheckpoint openCheckpoint(String checkpoint, String publicKey) {
    Errors.requireArg(checkpoint, "checkpoint");
    Errors.requireArg(publicKey, "publicKey");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_audit_checkpoint_open(out, checkpoint, publicKey));
    Map<String, Object> o = object(out[0], "checkpoint");
    return new AuditCheckpoint(string(o, "origin"), u64(o, "size"), hash(o.get("root"), "root"), checkpoint);
  }

  /**
   * Witnessing another department's log in one call: both notes are signed by
   * {@code publicKey} and name the same log, and {@code proof} shows the newer tree extends
   * the older one. Returns the newer checkpoint.
   *
   * @throws IntegrityException not consistent (a rewritten history or a fork)
   * @throws BadSignatureException, UnknownKeyException, ParseException,
   *     InvalidArgumentException (a proof for other sizes)
   */
  public static AuditCheckpoint checkConsistency(String olderCheckpoint, String newerCheckpoint,
      ConsistencyProof proof, String publicKey) {
    Errors.requireArg(olderCheckpoint, "olderCheckpoint");
    Errors.requireArg(newerCheckpoint, "newerCheckpoint");
    Errors.requireArg(proof, "proof");
    Errors.requireArg(publicKey, "publicKey");
    Errors.check(CivitasNative.civ_audit_check_consistency(olderCheckpoint, newerCheckpoint, proof.toJson(),
        publicKey));
    return openCheckpoint(newerCheckpoint, publicKey);
  }

  // ---- JSON and hex helpers shared by the audit classes ---------------------------------

  static long nonNegative(long v, String name) {
    if (v < 0) {
      throw new InvalidArgumentException(name + " must not be negative");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String json, String what) {
    Errors.requireArg(json, what);
    Object v;
    try {
      v = Json.parse(json);
    } catch (IllegalArgumentException x) {
      throw new ParseException(what + ": " + x.getMessage());
    }
    if (!(v instanceof Map)) {
      throw new ParseException(what + ": not a JSON object");
    }
    return (Map<String, Object>) v;
  }

  static void requireVersion(Map<String, Object> o, String what) {
    Object v = o.get("version");
    if (v != null && !Long.valueOf(1).equals(v)) {
      throw new UnsupportedVersionException(what + ": version " + v + " (this library reads 1)");
    }
  }

  static String string(Map<String, Object> o, String k) {
    Object v = o.get(k);
    if (!(v instanceof String)) {
      throw new ParseException("\"" + k + "\" must be a string");
    }
    return (String) v;
  }

  static long u64(Map<String, Object> o, String k) {
    Object v = o.get(k);
    if (!(v instanceof Long) || (Long) v < 0) {
      throw new ParseException("\"" + k + "\" must be a non-negative integer below 2^63");
    }
    return (Long) v;
  }

  static byte[] hash(Object v, String what) {
    if (!(v instanceof String) || ((String) v).length() != 64) {
      throw new ParseException(what + ": a hash is 64 hex digits");
    }
    String s = (String) v;
    byte[] out = new byte[32];
    for (int i = 0; i < 32; i++) {
      int hi = Character.digit(s.charAt(2 * i), 16);
      int lo = Character.digit(s.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new ParseException(what + ": not hex at character " + (2 * i));
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  static List<byte[]> hashes(Map<String, Object> o, String k) {
    Object v = o.get(k);
    if (!(v instanceof List)) {
      throw new ParseException("\"" + k + "\" must be an array of hex hashes");
    }
    List<?> l = (List<?>) v;
    List<byte[]> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(hash(l.get(i), k + "[" + i + "]"));
    }
    return out;
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 2);
    for (byte x : b) {
      s.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
    }
    return s.toString();
  }

  /** Unmodifiable copies of hashes (the proofs' getters). */
  static List<byte[]> copies(List<byte[]> hs) {
    List<byte[]> out = new ArrayList<>(hs.size());
    for (byte[] h : hs) {
      out.add(h.clone());
    }
    return Collections.unmodifiableList(out);
  }

  static StringBuilder hexArray(StringBuilder b, List<byte[]> hs) {
    b.append('[');
    for (int i = 0; i < hs.size(); i++) {
      b.append(i == 0 ? "\"" : ",\"").append(hex(hs.get(i))).append('"');
    }
    return b.append(']');
  }
}
