package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AuditLog from Java: appends, batches, queries, checkpoints, proofs, witnessing, verify. */
class AuditTest {
  static final String DEPT = WorkspaceTest.DEPT_A;
  static final String ALICE = DEPT + ":alice";

  @TempDir
  Path dir;

  Workspace create(String name, String dept) {
    return Workspace.create(dir.resolve(name), WorkspaceTest.randomKey(), new Workspace.Options().department(dept));
  }

  /**
   * Runs SQL on a workspace database as an administrator holding the page key could: the key
   * is derived from the master key as docs/formats/workspace.md says (libsodium through
   * Python's ctypes; the JDK has neither BLAKE2b nor XChaCha20) and the sqlcipher shell runs
   * the SQL. Skips the test when python3 or sqlcipher is missing.
   */
  static String adminSql(Path db, byte[] masterKey, String sql) throws Exception {
    assumeTrue(onPath("python3") && onPath("sqlcipher"), "python3 and the sqlcipher shell are needed");
    String script = String.join("\n",
        "import base64, ctypes, ctypes.util, json, subprocess, sys",
        "db, master, sql = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3]",
        "na = ctypes.CDLL(ctypes.util.find_library('sodium'))",
        "assert na.sodium_init() >= 0",
        "h = json.load(open(db + '.header'))",
        "ad = ('civitas-workspace-header/1/' + h['workspace_id'] + '/raw/-').encode()",
        "wr = base64.b64decode(h['wrapped_key'])",
        "hk, w, pk = (ctypes.create_string_buffer(32) for _ in range(3))",
        "na.crypto_kdf_derive_from_key(hk, ctypes.c_size_t(32), ctypes.c_uint64(1), b'civhead1', master)",
        "n = ctypes.c_ulonglong(0)",
        "assert na.crypto_aead_xchacha20poly1305_ietf_decrypt(w, ctypes.byref(n), None, wr[24:],"
            + " ctypes.c_ulonglong(len(wr) - 24), ad, ctypes.c_ulonglong(len(ad)), wr[:24], hk) == 0",
        "na.crypto_kdf_derive_from_key(pk, ctypes.c_size_t(32), ctypes.c_uint64(1), b'civpage1', w.raw)",
        "pre = \"PRAGMA key = \\\"x'%s'\\\";\\nPRAGMA cipher_page_size = 4096;\\n\" % pk.raw.hex()",
        "pre += 'PRAGMA cipher_hmac_algorithm = HMAC_SHA1;\\nPRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1;\\n'",
        "pre += 'PRAGMA busy_timeout = 10000;\\n'",
        "r = subprocess.run(['sqlcipher', db], input=pre + sql + '\\n', capture_output=True, text=True)",
        "sys.stdout.write(r.stdout)",
        "sys.exit(1 if r.returncode or 'Error' in r.stderr else 0)");
    StringBuilder hex = new StringBuilder();
    for (byte b : masterKey) {
      hex.append(String.format("%02x", b));
    }
    Process p = new ProcessBuilder("python3", "-c", script, db.toString(), hex.toString(), sql)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "admin SQL failed: " + sql);
    return out;
  }

  static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, exe).canExecute()) {
        return true;
      }
    }
    return false;
  }

  static List<AuditLog.Event> events(String prefix, int n) {
    List<AuditLog.Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new AuditLog.Event(ALICE, prefix + i).resource("r" + (i % 3)));
    }
    return out;
  }

  /** A note with its root line replaced by 32 zero bytes: the signature no longer holds. */
  static String forge(String note) {
    String[] l = note.split("\n", -1);
    l[2] = Base64.getEncoder().encodeToString(new byte[32]);
    return String.join("\n", l);
  }

  @Test
  void aNewWorkspaceLogStartsWithItsCreation() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      assertEquals(1, log.size());
      AuditEntry e = log.get(0);
      assertEquals("workspace.create", e.getAction());
      assertEquals(DEPT, e.getActorDept());
    }
  }

  @Test
  void appendReturnsTheIndexAndTheEntryReadsBackDecoded() throws Exception {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      long i = log.append(new AuditLog.Event(ALICE, "data.read").resource("110000-000001").purpose("licensing")
          .details("{\"rows\": 12, \"name\": \"许可\"}"));
      assertEquals(1, i);
      AuditEntry e = log.get(i);
      assertEquals(1, e.getIndex());
      assertEquals(ALICE, e.getActor());
      assertEquals("alice", e.getActorUser());
      assertEquals("data.read", e.getAction());
      assertEquals("110000-000001", e.getResource());
      assertEquals("licensing", e.getPurpose());
      assertEquals("ok", e.getOutcome());
      assertEquals("{\"name\":\"许可\",\"rows\":12}", e.getDetailsJson());
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update((byte) 0);
      assertArrayEquals(d.digest(e.getBytes()), e.getLeafHash());
      assertEquals(e, AuditEntry.decode(e.getBytes()));
      assertTrue(Math.abs(e.getTimeMillis() - System.currentTimeMillis()) < 300_000);

      long j = log.append(new AuditLog.Event(DEPT, "data.export").outcome("denied"));
      assertEquals("denied", log.get(j).getOutcome());
      assertEquals(DEPT, log.get(j).getActor());
    }
  }

  @Test
  void badEventsAreRefused() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      assertThrows(InvalidArgumentException.class, () -> log.append(new AuditLog.Event(ALICE, "")));
      assertThrows(InvalidArgumentException.class, () -> log.append(new AuditLog.Event("91350100M000100Y44", "x")));
      assertThrows(CivitasException.class, () -> log.append(new AuditLog.Event(ALICE, "x").details("{\"f\":1.5}")));
      assertThrows(InvalidArgumentException.class, () -> new AuditLog.Event(null, "x"));
      assertThrows(InvalidArgumentException.class, () -> log.prove(-1, 0));
      assertThrows(ParseException.class, () -> AuditEntry.decode(new byte[] {1, 2, 3}));
      assertEquals(1, log.size());
    }
  }

  @Test
  void batchAppendsInOrderAndIsAllOrNothing() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      List<AuditLog.Event> ev = events("batch.", 3);
      ev.get(1).details("{\"n\":\n 2}").outcome("error");  // multi-line details are fine
      assertEquals(1, log.appendBatch(ev));
      List<AuditEntry> got = log.query(new AuditLog.Filter().from(1));
      assertEquals(3, got.size());
      assertEquals("batch.0", got.get(0).getAction());
      assertEquals("{\"n\":2}", got.get(1).getDetailsJson());
      assertEquals("error", got.get(1).getOutcome());
      List<AuditLog.Event> bad = events("bad.", 2);
      bad.add(new AuditLog.Event(ALICE, ""));
      assertThrows(InvalidArgumentException.class, () -> log.appendBatch(bad));
      // a details string cannot inject other members into its line
      List<AuditLog.Event> sneaky = List.of(new AuditLog.Event(ALICE, "x").details("{}, \"action\": \"forged\""));
      assertThrows(InvalidArgumentException.class, () -> log.appendBatch(sneaky));
      assertEquals(4, log.size());
    }
  }

  @Test
  void queriesByActorActionResourceAndTime() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      log.append(new AuditLog.Event(ALICE, "data.read").resource("r1"));
      log.append(new AuditLog.Event(DEPT + ":bob", "data.read").resource("r2"));
      log.append(new AuditLog.Event(ALICE, "data.write").resource("r2"));
      assertEquals(List.of(1L, 2L), indexes(log.query(new AuditLog.Filter().action("data.read"))));
      assertEquals(List.of(1L, 3L), indexes(log.query(new AuditLog.Filter().actor(ALICE))));
      assertEquals(4, log.query(new AuditLog.Filter().actor(DEPT)).size());
      assertEquals(List.of(3L), indexes(log.query(new AuditLog.Filter().resource("r2").action("data.write"))));
      long mid = log.get(2).getTimeMillis();
      for (AuditEntry e : log.query(new AuditLog.Filter().since(mid))) {
        assertTrue(e.getTimeMillis() >= mid);
      }
      for (AuditEntry e : log.query(new AuditLog.Filter().until(mid))) {
        assertTrue(e.getTimeMillis() < mid);
      }
      assertEquals(List.of(1L, 2L), indexes(log.query(new AuditLog.Filter().from(1).limit(2))));
      assertTrue(log.query(new AuditLog.Filter().action("nothing")).isEmpty());
      assertEquals(4, log.query(null).size());
      assertThrows(NotFoundException.class, () -> log.get(99));
    }
  }

  static List<Long> indexes(List<AuditEntry> es) {
    List<Long> out = new ArrayList<>();
    for (AuditEntry e : es) {
      out.add(e.getIndex());
    }
    return out;
  }

  @Test
  void inclusionProofsVerifyAgainstTheCheckpointAndTamperedOnesDoNot() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      log.appendBatch(events("e", 20));
      String note = log.checkpoint();
      String key = log.publicKey();
      AuditCheckpoint cp = AuditLog.openCheckpoint(note, key);
      assertEquals(21, cp.getSize());
      assertEquals("civitas/audit/" + DEPT, cp.getOrigin());
      for (long i = 0; i < cp.getSize(); i++) {
        InclusionProof p = log.prove(i, cp.getSize());
        assertTrue(p.verify(note, key));
        assertTrue(p.verify(log.get(i), note, key));
        assertEquals(p.toJson(), InclusionProof.fromJson(p.toJson()).toJson());
      }
      InclusionProof p = log.prove(7, 0);
      assertEquals(7, p.getLeafIndex());
      assertFalse(p.verify(log.get(8), note, key));
      byte[] h = p.getHashes().get(0);
      h[0] ^= 1;
      assertFalse(p.withHash(0, h).verify(note, key));
      String moved = p.toJson().replace("\"leaf_index\":7", "\"leaf_index\":6");
      assertFalse(InclusionProof.fromJson(moved).verify(note, key));
      log.append(new AuditLog.Event(ALICE, "later"));
      InclusionProof bigger = log.prove(7, 0);
      assertThrows(InvalidArgumentException.class, () -> bigger.verify(note, key)); // sizes differ
      assertThrows(ParseException.class, () -> InclusionProof.fromJson("{\"version\":1}"));
      assertThrows(ParseException.class, () -> InclusionProof.fromJson("nope"));
      assertThrows(InvalidArgumentException.class, () -> log.prove(99, 0));
    }
  }

  @Test
  void aCheckpointVerifiesWithThePublicKeyAndAForgedOneDoesNot() {
    try (Workspace ws = create("a.db", DEPT); Workspace other = create("b.db", WorkspaceTest.deptB())) {
      AuditLog log = new AuditLog(ws);
      String note = log.checkpoint();
      String key = log.publicKey();
      assertTrue(key.startsWith("civitas/audit/" + DEPT + "+"));
      AuditCheckpoint cp = AuditLog.openCheckpoint(note, key);
      assertEquals(note, cp.getNote());
      assertEquals(1, cp.getSize());
      assertEquals(note, log.checkpoint()); // no growth: the same note
      assertThrows(BadSignatureException.class, () -> AuditLog.openCheckpoint(forge(note), key));
      String otherKey = new AuditLog(other).publicKey();
      assertThrows(UnknownKeyException.class, () -> AuditLog.openCheckpoint(note, otherKey));
      assertThrows(ParseException.class, () -> AuditLog.openCheckpoint("garbage", key));
    }
  }

  @Test
  void consistencyBetweenTwoCheckpointsAndWitnessing() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      log.appendBatch(events("e", 5));
      String note1 = log.checkpoint();
      log.appendBatch(events("f", 9));
      String note2 = log.checkpoint();
      String key = log.publicKey();
      ConsistencyProof p = log.consistency(6, 15);
      assertEquals(6, p.getFirst());
      assertEquals(15, p.getSecond());
      AuditCheckpoint newer = AuditLog.checkConsistency(note1, note2, p, key);
      assertEquals(15, newer.getSize());
      assertTrue(p.verify(note1, note2, key));
      assertEquals(p.toJson(), ConsistencyProof.fromJson(p.toJson()).toJson());
      assertEquals(p.toJson(), log.consistency(6, 0).toJson());
      String h0 = AuditLog.hex(p.getHashes().get(0));
      ConsistencyProof bad = ConsistencyProof.fromJson(p.toJson().replace(h0, "00".repeat(32)));
      assertFalse(bad.verify(note1, note2, key));
      assertThrows(IntegrityException.class, () -> AuditLog.checkConsistency(note1, note2, bad, key));
      assertThrows(CivitasException.class, () -> AuditLog.checkConsistency(note2, note1, p, key));
      assertThrows(BadSignatureException.class, () -> AuditLog.checkConsistency(note1, forge(note2), p, key));
    }
  }

  @Test
  void verifyOfAnIntactLogIsOkAndAForgedCheckpointIsReported() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      log.appendBatch(events("e", 40));
      String note = log.checkpoint();
      log.append(new AuditLog.Event(ALICE, "later"));
      AuditVerifyResult r = log.verify(note);
      assertTrue(r.isOk(), r::toString);
      assertEquals(42, r.getEntries());
      assertTrue(r.getCheckpoints() >= 2);
      assertNull(r.getFirstIndex());
      assertEquals(32, r.getRoot().length);
      AuditVerifyResult bad = log.verify(forge(note));
      assertFalse(bad.isOk());
      assertTrue(bad.getProblems().stream()
          .anyMatch(p -> p.getKind().equals("signature") || p.getKind().equals("checkpoint")), bad::toString);
    }
  }

  @Test
  void threadsAppendingAtOnceLoseNothing() throws Exception {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      ConcurrentHashMap<Long, Boolean> seen = new ConcurrentHashMap<>();
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int id = t;
        ts.add(new Thread(() -> {
          for (int i = 0; i < 20; i++) {
            long idx = log.append(new AuditLog.Event(ALICE, "thread").details("{\"t\":" + id + ",\"i\":" + i + "}"));
            seen.put(idx, Boolean.TRUE);
          }
        }));
      }
      for (Thread t : ts) {
        t.start();
      }
      for (Thread t : ts) {
        t.join();
      }
      assertEquals(80, seen.size());
      assertEquals(81, log.size());
      assertTrue(log.verify(null).isOk());
    }
  }

  @Test
  void textOutsideTheBmpSurvivesTheRoundTrip() {
    try (Workspace ws = create("a.db", DEPT)) {
      AuditLog log = new AuditLog(ws);
      String r = "资源-\uD83D\uDE00";
      long i = log.append(new AuditLog.Event(ALICE, "data.read").resource(r).details("{\"k\":\"\\u0001\"}"));
      AuditEntry e = log.get(i);
      assertEquals(r, e.getResource());
      assertEquals("{\"k\":\"\\u0001\"}", e.getDetailsJson());
      assertTrue(new String(e.getBytes(), StandardCharsets.UTF_8).contains(r));
    }
  }

  @Test
  void verifyNamesTheIndexOfAnEntryChangedInTheDatabase() throws Exception {
    byte[] master = WorkspaceTest.randomKey();
    Path db = dir.resolve("t.db");
    try (Workspace ws = Workspace.create(db, master, new Workspace.Options().department(DEPT))) {
      AuditLog log = new AuditLog(ws);
      List<AuditLog.Event> ev = events("e", 30);
      for (AuditLog.Event e : ev) {
        e.purpose("audit");
      }
      log.appendBatch(ev);
      log.checkpoint();
      assertTrue(log.verify(null).isOk());
      String out = adminSql(db, master, "SELECT 'X:' || hex(entry) FROM audit_entry WHERE idx = 9;");
      String hex = out.lines().filter(l -> l.startsWith("X:")).findFirst().orElseThrow().substring(2);
      String purpose = AuditLog.hex("audit".getBytes(StandardCharsets.UTF_8)).toUpperCase();
      String upper = AuditLog.hex("AUDIT".getBytes(StandardCharsets.UTF_8)).toUpperCase();
      assertTrue(hex.contains(purpose));
      adminSql(db, master, "UPDATE audit_entry SET entry = X'" + hex.replace(purpose, upper) + "' WHERE idx = 9;");
      AuditVerifyResult r = log.verify(null);
      assertFalse(r.isOk());
      assertEquals(Long.valueOf(9), r.getFirstIndex(), r::toString);
      assertTrue(r.getProblems().stream().anyMatch(p -> p.getKind().equals("changed") && Long.valueOf(9).equals(p.getIndex())));
      assertThrows(IntegrityException.class, () -> log.get(9));
      assertThrows(IntegrityException.class, () -> log.query(null));
    }
  }
}
